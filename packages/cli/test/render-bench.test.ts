import type { BenchResult } from '@coupling-lab/bench';
import { registeredStrategies } from '@coupling-lab/lab';
import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import { renderBench } from '../src/commands/bench.js';
import { operationNames } from '../src/report/index.js';

interface CellOptions {
  readonly belowResolution?: boolean;
  readonly ci?: readonly [number, number];
}

/** A bench result as runBench returns it, for two strategies, with made-up but distinct timings. */
function benchResult(
  options: { floor?: CellOptions; hookPercent?: number; hookCi?: [number, number] } = {},
): BenchResult {
  const cell = (ns: number, ratio: number, extra: CellOptions = {}) => {
    const ci = extra.ci ?? ([ratio - 0.02, ratio + 0.02] as const);
    return {
      nsPerOp: ns,
      spread: 0.01,
      ratioToDirect: ratio,
      ci,
      method: 'bracketed',
      resolutionNs: 1,
      belowResolution: extra.belowResolution ?? false,
      withinNoise: !(ci[0] > 1 || ci[1] < 1),
    };
  };
  const per = (ns: number, ratio: number, extra?: CellOptions) =>
    Object.fromEntries(operationNames.map((op, i) => [op, cell(ns + i, ratio, extra)]));
  const each = <T>(value: T) => Object.fromEntries(operationNames.map((op) => [op, value]));
  const hookPercent = options.hookPercent ?? 1.5;
  return {
    machine: { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux x64' },
    quick: true,
    linux: 'v5.17',
    rounds: 9,
    processes: 3,
    budgetMsPerCell: 15,
    elapsedMs: 1234,
    subjects: {
      direct: per(400, 1, { ci: [1, 1] }),
      'get-ops': per(480, 1.2),
      'symbol-get': per(420, 1.01, { ci: [0.97, 1.06] }),
      'no model': per(2, 0.005, options.floor ?? { belowResolution: true }),
    },
    modelOverhead: each(options.floor?.belowResolution === false ? 200 : null),
    hookOverhead: each({
      percent: hookPercent,
      ci: options.hookCi ?? [hookPercent - 1, hookPercent + 1],
      withinNoise: !((options.hookCi ?? [hookPercent - 1])[0] > 0) || hookPercent <= 0,
    }),
  } as unknown as BenchResult;
}

const strategies = () => registeredStrategies().filter((s) => s.name === 'direct' || s.name === 'get-ops');

test('bench draws a table per operation when it fits and a block per subject when it does not, losing nothing', () => {
  const wide = renderBench(benchResult(), strategies());
  expect(wide).toContain('┌');
  for (const op of operationNames) expect(wide).toContain(`│ ${op}`);
  const width = 60;
  const narrow = renderBench(benchResult(), strategies(), width);
  expect(narrow).not.toContain('┌');
  for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
  expect(narrow).toMatch(/ratio to direct \[95% CI\]:\s+1\.20× \[1\.18, 1\.22\]/);
});

test('one hyperfine-style summary line per operation, a difference inside its interval called noise', () => {
  const text = renderBench(benchResult(), strategies());
  for (const op of operationNames) {
    const line = text.split('\n').find((l) => l.startsWith(`${op}: direct`));
    expect(line).toContain('get-ops 1.20× [1.18, 1.22]');
    expect(line).toContain('symbol-get within noise [0.97, 1.06]');
  }
});

test('a floor below timer resolution is never a number, nor is a negative hook overhead', () => {
  const text = renderBench(benchResult({ hookPercent: -4.9, hookCi: [-6, -3] }), strategies());
  expect(text).toContain('no-model floor below timer resolution');
  expect(text).toContain('floor below timer resolution');
  expect(text).not.toMatch(/-\d+(\.\d+)?%/);
  expect(text).toContain('hooks within noise');
  expect(text).not.toMatch(/no model\s*│[^│]*│[^│]*│[^│]*│[^│]*│[^│]*\d ns/);
  const shown = renderBench(benchResult({ floor: { belowResolution: false } }), strategies());
  expect(shown).toContain('no-model floor 2.0 ns');
  expect(shown).toContain('hooks +1.5% [0.5, 2.5]');
  expect(shown).toContain('×200');
});

test('against a saved baseline each cell says how it moved, or that it is within noise', () => {
  const then = benchResult();
  const now = benchResult();
  const direct = now.subjects['direct'];
  if (direct === undefined) throw new Error('fixture');
  (now.subjects as Record<string, unknown>)['direct'] = Object.fromEntries(
    operationNames.map((op) => [op, { ...direct[op], nsPerOp: direct[op].nsPerOp / 2 }]),
  );
  const text = renderBench(now, strategies(), undefined, then);
  expect(text).toContain('vs baseline');
  expect(text).toMatch(/0\.50× \(400 ns then\)/);
  expect(text).toContain('within noise');
});
