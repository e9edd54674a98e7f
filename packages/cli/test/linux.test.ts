import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/index.js';
import { run, tmp } from './cli-run.js';

const linesOf = (text: string): string[] => text.trim().split('\n');

test('list names the kernels each strategy runs on: symbol-get is v5.17 only', async () => {
  const list = await run(['list', '--all'], { width: 400 });
  const kernels = Object.fromEntries(
    linesOf(list.out).map((line) => {
      const [name = '', ...rest] = line.split(/\s{2,}/);
      return [name, rest[0] ?? ''];
    }),
  );
  expect(kernels).toMatchObject({
    direct: 'v5.17 v6.6',
    'symbol-get': 'v5.17',
    'symbol-get/v5.17-race': 'v5.17',
    'get-ops': 'v5.17 v6.6',
    'register-ops/unlocked': 'v5.17 v6.6',
  });
});

test('--linux takes the lab kernels or all; anything else is a usage error naming them', async () => {
  for (const command of ['compare', 'explore', 'bench']) {
    const result = await run([command, '--linux', 'v6.1']);
    expect({ command, code: result.code }).toEqual({ command, code: 2 });
    expect(result.err).toMatch(/unknown --linux "v6.1"; valid: v5.17, v6.6/);
  }
  const bench = await run(['bench', '--linux', 'all']);
  expect(bench).toMatchObject({ code: 2, err: expect.stringMatching(/one kernel at a time/) });
});

test('compare --linux v6.6 sets symbol-get aside with its reason and says the kernel everywhere', async () => {
  const out = tmp();
  const result = await run([
    'compare',
    '--quick',
    '--no-bench',
    '--linux',
    'v6.6',
    '--strategy',
    'symbol-get,get-ops',
    '--out',
    out,
  ]);
  expect(result.code).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(report.linux.name).toBe('v6.6');
  expect(report.strategies.map((strategy) => strategy.name)).toEqual(['get-ops']);
  expect(report.notOnKernel).toEqual([{ name: 'symbol-get', reason: expect.stringMatching(/v5\.19/) }]);
  // VFIO holds the VM on v6.6: the reverse edge is measured, not declared.
  expect(report.strategies[0]?.coupling.edges).toContainEqual({
    from: 'vfio',
    to: 'kvm',
    kind: 'symbol_get',
  });
  expect(result.out.split('\n')[0]).toMatch(/^Linux v6\.6: /);
  expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/^# coupling-lab comparison on Linux v6\.6\n/);
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<p class="kernel">Linux v6.6: ');
  // A variant's replay command names the kernel it was convicted on.
  const conviction = report.variants
    ?.flatMap((variant) => variant.races)
    .find((race) => race.verdict === 'violation');
  expect(conviction?.report?.replay).toContain('--linux v6.6');
}, 30_000);

test('compare --linux all writes one report per kernel, each for its kernel, and a section per kernel', async () => {
  const out = tmp();
  const result = await run([
    'compare',
    '--quick',
    '--no-bench',
    '--linux',
    'all',
    '--strategy',
    'direct,symbol-get',
    '--out',
    out,
  ]);
  expect(result.code).toBe(0);
  expect(readdirSync(out).sort()).toEqual(
    ['v5.17', 'v6.6'].flatMap((k) => ['html', 'json', 'md'].map((ext) => `report.${k}.${ext}`)),
  );
  const names = (kernel: string): string[] =>
    (JSON.parse(readFileSync(join(out, `report.${kernel}.json`), 'utf8')) as Report).strategies.map(
      (strategy) => strategy.name,
    );
  expect(names('v5.17')).toEqual(['direct', 'symbol-get']);
  expect(names('v6.6')).toEqual(['direct']);
  const headings = linesOf(result.out).filter((line) => /^Linux v/.test(line));
  expect(headings.map((line) => line.split(':')[0])).toEqual(['Linux v5.17', 'Linux v6.6']);
}, 60_000);

test('explore --linux all runs each pair on both kernels; a replay on v6.6 reproduces its verdict there', async () => {
  const both = await run([
    'explore',
    'add-vs-del',
    '--strategy',
    'symbol-get-file/v5.19-race',
    '--linux',
    'all',
    '--json',
  ]);
  const results = (
    JSON.parse(both.out) as { results: { linux: string; verdict: string; schedule?: string }[] }
  ).results;
  expect(results.map((result) => [result.linux, result.verdict])).toEqual([
    ['v5.17', 'violation'],
    ['v6.6', 'violation'],
  ]);
  const found = results[1]?.schedule ?? '';
  const replayed = await run([
    'explore',
    'add-vs-del',
    '--strategy',
    'symbol-get-file/v5.19-race',
    '--linux',
    'v6.6',
    '--replay',
    found,
    '--json',
  ]);
  const [again] = (JSON.parse(replayed.out) as { results: { verdict: string; schedule?: string }[] }).results;
  expect(again).toMatchObject({ verdict: 'violation', schedule: found });
});
