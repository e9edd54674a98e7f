import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, Progress } from '../src/index.js';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function run(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const quiet = new Progress(process.stderr, true);
  const code = await main(argv, {
    out: (text) => (out += `${text}\n`),
    err: (text) => (err += `${text}\n`),
    progress: quiet,
    colour: false,
  });
  return { code, out, err };
}

const fixture = (name: string): string => join(__dirname, 'fixtures', name);
const tmp = (): string => mkdtempSync(join(tmpdir(), 'coupling-lab-cli-'));

test('list shows the five real strategies, and --all the variants too', async () => {
  const plain = await run('list');
  expect(plain.code).toBe(0);
  expect(
    plain.out
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0]),
  ).toEqual(['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops']);
  expect((await run('list', '--all')).out).toContain('register-ops/no-owner');
});

test('an unknown command, option, strategy, scenario or format is one line naming the valid choices, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate'; valid commands: compare, list, bench, explore, graph/],
    [['compare', '--frob'], /unknown option '--frob'; valid options: .*--strategy/],
    [['compare', '--strategy', 'nope'], /unknown strategy "nope"; valid: direct, symbol-get/],
    [['explore', 'no-such-race'], /unknown scenario "no-such-race"; valid: /],
    [['graph', '--format', 'png'], /--format.*png.*mermaid, dot/],
    [['explore', 'add-vs-del', '--replay', '1 2'], /--replay needs one scenario and one --strategy/],
    [
      ['explore', 'add-vs-del', '--strategy', 'symbol-get', '--replay', 'garbage'],
      /--replay: malformed schedule "garbage"/,
    ],
    [
      ['explore', 'add-vs-del', '--strategy', 'symbol-get', '--replay', '1 2@99'],
      /--replay: schedule "1 2@99" does not match the scenario/,
    ],
    [
      ['explore', 'rmmod-kvm_vfio-vs-create-device', '--strategy', 'direct', '--replay', '1 2'],
      /--replay: .* does not apply to direct/,
    ],
  ];
  for (const [argv, message] of cases) {
    const result = await run(...argv);
    expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
    expect(result.err).toMatch(message);
    expect(result.err.trim().split('\n')).toHaveLength(1);
  }
});

test('compare writes report.md, report.json and report.html and prints the side-by-side table', async () => {
  const out = tmp();
  const result = await run('compare', '--quick', '--no-bench', '--strategy', 'direct,get-ops', '--out', out);
  expect(result.code).toBe(0);
  expect(result.out).toContain('get-ops');
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    strategies: { name: string; conformance: { failed: number } }[];
  };
  expect(report.strategies.map((strategy) => [strategy.name, strategy.conformance.failed])).toEqual([
    ['direct', 0],
    ['get-ops', 0],
  ]);
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<table id="comparison"');
  expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('```mermaid');
});

test('compare --json prints the report on stdout', async () => {
  const result = await run(
    'compare',
    '--quick',
    '--no-bench',
    '--json',
    '--strategy',
    'direct',
    '--out',
    tmp(),
  );
  expect(result.code).toBe(0);
  const report = JSON.parse(result.out) as {
    quick: boolean;
    strategies: { name: string; counts: { GROUP_ADD: { symbolLookups: number } } }[];
  };
  expect(report.quick).toBe(true);
  expect(report.strategies[0]?.counts.GROUP_ADD.symbolLookups).toBe(0);
});

test('an unwritable --out is a readable message, not a stack trace, exit 1', async () => {
  const file = join(tmp(), 'a-file');
  writeFileSync(file, 'not a directory');
  const result = await run(
    'compare',
    '--quick',
    '--no-bench',
    '--strategy',
    'direct',
    '--out',
    join(file, 'reports'),
  );
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/^coupling-lab: cannot write reports to .*a-file\/reports/);
  expect(result.err).not.toMatch(/\n\s+at /);
});

test('an unwritable --out is reported before anything is measured', async () => {
  const file = join(tmp(), 'a-file');
  writeFileSync(file, 'not a directory');
  const steps: string[] = [];
  class Recording extends Progress {
    override update(label: string): void {
      steps.push(label);
    }
  }
  let err = '';
  const code = await main(['compare', '--out', join(file, 'reports')], {
    out: () => undefined,
    err: (text) => (err += text),
    progress: new Recording(process.stderr, true),
    colour: false,
  });
  expect(code).toBe(1);
  expect(err).toMatch(/cannot write reports to .*a-file\/reports: a parent of it is a file/);
  expect(steps).toEqual([]);
});

test('a strategy failing conformance makes compare exit 1 after writing the reports', async () => {
  const out = tmp();
  const result = await run(
    '--plugin',
    fixture('broken-plugin.ts'),
    'compare',
    '--quick',
    '--no-bench',
    '--strategy',
    'broken',
    '--out',
    out,
  );
  expect(result.code).toBe(1);
  expect(result.out).toMatch(/FAILED: broken/);
  expect(readFileSync(join(out, 'report.json'), 'utf8')).toContain('"broken"');
});

test('a plugin that fails to load, registers nothing or does not exist is a clear error, exit 1', async () => {
  expect(await run('--plugin', fixture('throwing-plugin.ts'), 'list')).toMatchObject({
    code: 1,
    err: expect.stringMatching(/plugin .* failed to load: this plugin is broken on purpose/),
  });
  expect(await run('--plugin', fixture('empty-plugin.ts'), 'list')).toMatchObject({
    code: 1,
    err: expect.stringMatching(/registered no strategy/),
  });
  expect(await run('--plugin', './no/such/plugin', 'list')).toMatchObject({
    code: 1,
    err: expect.stringMatching(/no such file or directory/),
  });
});

test('explore runs the catalogue against a real strategy (clean, exit 0) and convicts a variant with a replayable schedule', async () => {
  const clean = await run('explore', 'add-vs-del', '--strategy', 'symbol-get', '--json');
  expect(clean.code).toBe(0);
  expect(JSON.parse(clean.out)).toEqual({
    results: [expect.objectContaining({ scenario: 'add-vs-del', strategy: 'symbol-get', verdict: 'clean' })],
  });
  const race = await run('explore', 'add-vs-del', '--strategy', 'symbol-get/v5.17-race', '--json');
  const [found] = (JSON.parse(race.out) as { results: { verdict: string; kind: string; schedule: string }[] })
    .results;
  expect(found).toMatchObject({ verdict: 'violation', kind: 'stale-association' });
  const replayed = await run(
    'explore',
    'add-vs-del',
    '--strategy',
    'symbol-get/v5.17-race',
    '--replay',
    found?.schedule ?? '',
    '--json',
  );
  expect(JSON.parse(replayed.out)).toEqual({
    results: [
      expect.objectContaining({ verdict: 'violation', kind: 'stale-association', schedule: found?.schedule }),
    ],
  });
});

test('graph prints each strategy as dot when asked', async () => {
  const result = await run('graph', '--strategy', 'direct', '--format', 'dot');
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/digraph/);
  expect(result.out).toMatch(/kvm.*->.*vfio/);
});
