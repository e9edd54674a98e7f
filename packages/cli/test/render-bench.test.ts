import type { BenchResult } from '@coupling-lab/bench';
import { registeredStrategies } from '@coupling-lab/lab';
import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import { renderBench } from '../src/commands/bench.js';
import { operationNames } from '../src/report/index.js';

/** A bench result as runBench returns it, for two strategies, with made-up but distinct timings. */
function benchResult(): BenchResult {
  const cell = (ns: number, ratio: number) => ({
    nsPerOp: ns,
    spread: 0.01,
    ratioToDirect: ratio,
    ci: [ratio - 0.02, ratio + 0.02] as const,
    method: 'median of rounds',
  });
  const per = (ns: number, ratio: number) =>
    Object.fromEntries(operationNames.map((op, i) => [op, cell(ns + i, ratio)]));
  const each = (value: number) => Object.fromEntries(operationNames.map((op) => [op, value]));
  return {
    machine: { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux x64' },
    quick: true,
    rounds: 9,
    processes: 3,
    budgetMsPerCell: 15,
    elapsedMs: 1234,
    subjects: { direct: per(400, 1), 'get-ops': per(480, 1.2) },
    modelOverhead: each(10),
    hookOverheadPercent: each(1.5),
  } as unknown as BenchResult;
}

const strategies = () => registeredStrategies().filter((s) => s.name === 'direct' || s.name === 'get-ops');

test('bench draws a table when it fits and a block per operation and strategy when it does not, losing nothing', () => {
  const wide = renderBench(benchResult(), strategies());
  expect(wide).toContain('┌');
  const width = 60;
  const narrow = renderBench(benchResult(), strategies(), width);
  expect(narrow).not.toContain('┌');
  for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
  for (const op of operationNames) {
    expect(narrow).toContain(`${op} · direct`);
    expect(narrow).toContain(`${op} · get-ops`);
  }
  expect(narrow).toMatch(/ratio to direct \[95% CI\]:\s+1\.200 \[1\.180, 1\.220\]/);
});
