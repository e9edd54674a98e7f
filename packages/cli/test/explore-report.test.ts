import type { BugReport } from '@coupling-lab/explorer';
import { run } from './cli-run.js';

interface Result {
  scenario: string;
  strategy: string;
  verdict: string;
  kind?: string;
  schedule?: string;
  report?: BugReport;
}

const variants = [
  'symbol-get/v5.17-race',
  'symbol-get-file/v5.19-race',
  'get-ops/no-file-ref',
  'register-ops/no-owner',
  'register-ops/unlocked',
];

/** Splits a command line as sh does for plain words and '…' (with '\'' for a quote inside). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] ?? ''),
  );
}

async function results(argv: string[]): Promise<Result[]> {
  const result = await run([...argv, '--json']);
  return (JSON.parse(result.out) as { results: Result[] }).results;
}

test.each(variants)(
  'explore --replay of %s’s schedule prints the violation block: its kind, both threads’ steps, and a replay command that re-runs to the same verdict',
  async (variant) => {
    // The first conviction in which both threads run (no-file-ref's first one is QEMU's closes alone).
    const convictions = (await results(['explore', '--strategy', variant])).filter(
      (r) =>
        r.verdict === 'violation' && (r.schedule ?? '').split(/\s+/).some((token) => token.startsWith('2')),
    );
    expect(convictions.length).toBeGreaterThan(0);
    const [first] = convictions;
    if (first?.schedule === undefined || first.report === undefined)
      throw new Error(`${variant}: no conviction`);
    const replayed = await run([
      'explore',
      first.scenario,
      '--strategy',
      variant,
      '--replay',
      first.schedule,
    ]);
    // A variant's violation is expected: the command succeeds.
    expect(replayed.code).toBe(0);
    const text = replayed.out;
    const block = text.slice(text.indexOf('\n=====') + 1);
    const lines = block.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^=+$/);
    expect(lines[lines.length - 1]).toBe(lines[0]);
    const kindWord = { 'use-after-free': 'use-after-free', 'stale-association': 'stale association' }[
      first.kind ?? ''
    ];
    expect(lines[1]).toMatch(new RegExp(`^BUG: ${kindWord ?? first.kind}`));
    expect(block).toMatch(/thread A\s+│ thread B/);
    // Every step of both threads is in the interleaving, in the column of its thread.
    const rows = lines.filter((line) => /^\s+\d+ {2}\S|^\s+\d+ {2}\s+│/.test(line));
    expect(rows).toHaveLength(first.report.steps.length);
    first.report.steps.forEach((step, index) => {
      const [left = '', right = ''] = (rows[index] ?? '').split('│');
      expect((step.thread === 1 ? left : right).includes(step.label)).toBe(true);
    });
    expect(new Set(first.report.steps.map((step) => step.thread))).toEqual(new Set([1, 2]));
    const replayLine = lines[lines.indexOf('replay:') + 1] ?? '';
    const [program, ...args] = shellWords(replayLine.trim());
    expect(program).toBe('coupling-lab');
    const again = await results(args);
    expect(again).toEqual([
      expect.objectContaining({
        verdict: 'violation',
        kind: first.kind,
        schedule: first.schedule,
        report: expect.objectContaining({ message: first.report.message }),
      }),
    ]);
  },
  30_000,
);
