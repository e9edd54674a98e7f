import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Progress, terminalWidth, type Report } from '../src/index.js';
import { fixture, run, tmp } from './cli-run.js';

/** Every path under `root`, relative, sorted: a directory's state before and after a command. */
function tree(root: string): string[] {
  return existsSync(root) ? readdirSync(root, { recursive: true, encoding: 'utf8' }).sort() : [];
}

const oneLine = (text: string): string[] => text.trim().split('\n');

test('list shows the five real strategies, and --all the variants too', async () => {
  const plain = await run(['list']);
  expect(plain.code).toBe(0);
  expect(oneLine(plain.out).map((line) => line.split(/\s+/)[0])).toEqual([
    'direct',
    'symbol-get',
    'symbol-get-file',
    'get-ops',
    'register-ops',
  ]);
  expect((await run(['list', '--all'])).out).toContain('register-ops/no-owner');
});

test('bare coupling-lab prints the help, exit 0; --version prints the version; --help documents the exit codes', async () => {
  const bare = await run([]);
  expect(bare).toMatchObject({ code: 0, err: '' });
  expect(bare.out).toMatch(/^Usage: coupling-lab \[options\] \[command\]/);
  expect(bare.out).toContain('compare [options]');
  const version = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(await run(['--version'])).toEqual({ code: 0, out: `coupling-lab ${version.version}\n`, err: '' });
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toMatch(/Exit codes:\n\s+0 {2}success\n\s+1 {2}.*\n(.*\n)*\s+2 {2}a usage error/);
});

test('an unknown command, option, strategy, scenario or format, or a bad schedule, is one line naming the valid choices, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate'; valid commands: compare, list, bench, explore, graph/],
    [['--plugin', 'x'], /no command given; valid commands: compare, list/],
    [['compare', '--frob'], /unknown option '--frob'; valid options: .*--strategy/],
    [['compare', '--strategy', 'nope'], /unknown strategy "nope"; valid: direct, symbol-get/],
    [['compare', '--strategy', ' , '], /--strategy needs at least one name/],
    [['explore', 'no-such-race'], /unknown scenario "no-such-race"; valid: /],
    [['graph', '--format', 'png'], /--format.*png.*mermaid, dot/],
    [
      ['explore', 'add-vs-del', '--replay', '1 2'],
      /--replay needs one scenario, one --strategy and one --linux/,
    ],
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
    [
      ['explore', 'add-vs-del', '--workers', '0'],
      /--workers must be a whole number of threads, at least 1, not "0"/,
    ],
    [
      ['explore', 'add-vs-del', '--workers', '1.5'],
      /--workers must be a whole number of threads, at least 1, not "1.5"/,
    ],
  ];
  for (const [argv, message] of cases) {
    const result = await run(argv);
    expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
    expect(result.err).toMatch(message);
    expect(oneLine(result.err)).toHaveLength(1);
    expect(result.out).toBe('');
  }
});

test('--strategy repeats accumulate and a name given twice counts once', async () => {
  const result = await run([
    'explore',
    'add-vs-del',
    '--strategy',
    'symbol-get',
    '--strategy',
    'direct,symbol-get',
    '--json',
  ]);
  expect(result.code).toBe(0);
  const { results } = JSON.parse(result.out) as { results: { strategy: string }[] };
  expect(results.map((r) => r.strategy)).toEqual(['symbol-get', 'direct']);
});

test('COLUMNS wins over the terminal width, and a bad COLUMNS is ignored', () => {
  expect(terminalWidth({ COLUMNS: '72' }, 200)).toBe(72);
  expect(terminalWidth({}, 120)).toBe(120);
  expect(terminalWidth({ COLUMNS: 'wide' }, 120)).toBe(120);
  expect(terminalWidth({}, undefined)).toBeUndefined();
});

test('list, explore and compare fit 60 columns by changing layout, and lose nothing', async () => {
  const width = 60;
  const fits = (text: string): void => {
    for (const line of text.split('\n'))
      expect({ line, fits: line.length <= width }).toEqual({ line, fits: true });
  };
  const list = await run(['list', '--all'], { width });
  fits(list.out);
  expect(list.out.replace(/\n\s+/g, ' ')).toContain(
    'symbol-get-file/v5.19-race  (v5.17 v6.6) variant of symbol-get-file: GROUP_ADD reads kvg->file for set_kvm after dropping kv->lock',
  );
  const explore = await run(['explore', 'add-vs-del', '--strategy', 'symbol-get,symbol-get/v5.17-race'], {
    width,
  });
  // The replay command is the one line kept whole, so that it pastes.
  fits(explore.out.replace(/^ {2}coupling-lab explore .*$/m, ''));
  expect(explore.out).toContain('add-vs-del · symbol-get/v5.17-race');
  expect(explore.out).toMatch(/minimal schedule \(replay with --replay\):\s+1 2@8/);
  const compare = await run(
    ['compare', '--quick', '--no-bench', '--strategy', 'direct,register-ops', '--out', tmp()],
    {
      width,
    },
  );
  fits(compare.out);
  expect(compare.out).toContain('Load orders that work');
  expect(compare.out).not.toContain('┌');
}, 60_000);

test('graph prints one Mermaid document with a subgraph per strategy, and DOT when asked', async () => {
  const mermaid = await run(['graph', '--strategy', 'direct,get-ops']);
  expect(mermaid.code).toBe(0);
  const lines = oneLine(mermaid.out);
  expect(lines.filter((line) => line.startsWith('flowchart'))).toEqual(['flowchart LR']);
  expect(lines.filter((line) => line.includes('subgraph'))).toHaveLength(2);
  const dot = await run(['graph', '--strategy', 'direct', '--format', 'dot']);
  expect(dot.out).toMatch(/^digraph "direct" \{/);
  expect(dot.out).toMatch(/"kvm" -> "vfio" \[style=solid/);
});

test('compare writes report.md, report.json and report.html, prints the table on stdout and the paths on stderr', async () => {
  const out = tmp();
  const result = await run([
    'compare',
    '--quick',
    '--no-bench',
    '--strategy',
    'direct,get-ops',
    '--out',
    out,
  ]);
  expect(result.code).toBe(0);
  expect(result.out).toContain('get-ops');
  expect(result.out).not.toContain('reports:');
  expect(result.err).toBe(
    `reports: ${['report.md', 'report.json', 'report.html'].map((f) => join(out, f)).join(', ')}\n`,
  );
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(report.strategies.map((strategy) => [strategy.name, strategy.conformance.failed])).toEqual([
    ['direct', 0],
    ['get-ops', 0],
  ]);
  expect(report.run?.command).toEqual([
    'coupling-lab',
    'compare',
    '--quick',
    '--no-bench',
    '--strategy',
    'direct,get-ops',
    '--out',
    out,
  ]);
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<table id="comparison"');
  expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('```mermaid');
}, 30_000);

test('compare --json prints the report, the variants of the compared strategies convicted with their reports', async () => {
  const result = await run([
    'compare',
    '--quick',
    '--no-bench',
    '--json',
    '--strategy',
    'direct,register-ops',
    '--out',
    tmp(),
  ]);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.out) as Report;
  expect(report.quick).toBe(true);
  expect(report.strategies[0]?.counts.GROUP_ADD.symbolLookups).toBe(0);
  expect(report.variants?.map((v) => [v.name, v.of])).toEqual([
    ['register-ops/no-owner', 'register-ops'],
    ['register-ops/unlocked', 'register-ops'],
  ]);
  const conviction = report.variants?.[1]?.races.find((race) => race.verdict === 'violation');
  expect(conviction).toMatchObject({
    scenario: 'rmmod-kvm_vfio-vs-create-device',
    kind: 'use-after-free',
    report: {
      title: 'BUG: use-after-free',
      strategy: 'register-ops/unlocked',
      fault: { in: 'step', thread: 1 },
    },
  });
}, 30_000);

describe('--out', () => {
  test('an empty path is a usage error, exit 2, and writes nothing into the current directory', async () => {
    const cwd = tmp();
    const result = await run(['compare', '--quick', '--no-bench', '--strategy', 'direct', '--out', ''], {
      cwd,
    });
    expect(result.code).toBe(2);
    expect(oneLine(result.err)).toEqual([expect.stringMatching(/^coupling-lab: --out needs a directory/)]);
    expect(tree(cwd)).toEqual([]);
  });

  test('a directory with files in it is refused without --force (exit 2, unchanged), and used with it', async () => {
    const out = tmp();
    writeFileSync(join(out, 'report.md'), 'an older report');
    mkdirSync(join(out, 'keep'));
    const before = tree(out);
    const refused = await run(['compare', '--quick', '--no-bench', '--strategy', 'direct', '--out', out]);
    expect(refused.code).toBe(2);
    expect(oneLine(refused.err)).toEqual([
      `coupling-lab: --out ${out} is not empty (2 entries: keep, report.md); pass --force to write the reports into it`,
    ]);
    expect(tree(out)).toEqual(before);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe('an older report');
    const forced = await run([
      'compare',
      '--quick',
      '--no-bench',
      '--strategy',
      'direct',
      '--out',
      out,
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(tree(out)).toEqual(['keep', 'report.html', 'report.json', 'report.md']);
  }, 30_000);

  test('an unwritable --out is a readable message, not a stack trace, exit 1, said before anything is measured', async () => {
    const parent = tmp();
    const file = join(parent, 'a-file');
    writeFileSync(file, 'not a directory');
    const steps: string[] = [];
    class Recording extends Progress {
      override update(label: string): void {
        steps.push(label);
      }
    }
    const result = await run(['compare', '--out', join(file, 'reports')], {
      progress: new Recording(process.stderr, true),
    });
    expect(result.code).toBe(1);
    expect(oneLine(result.err)).toEqual([
      `coupling-lab: cannot write reports to ${join(file, 'reports')}: a parent of it is a file, not a directory`,
    ]);
    expect(steps).toEqual([]);
    expect(tree(parent)).toEqual(['a-file']);
  });

  test('a directory under /proc is refused at once (no hang), exit 1, nothing made', async () => {
    const result = await run(['compare', '--quick', '--no-bench', '--out', '/proc/coupling-lab-cli/reports']);
    expect(result.code).toBe(1);
    expect(oneLine(result.err)).toEqual([
      'coupling-lab: cannot write reports to /proc/coupling-lab-cli/reports: the file system does not let a directory be made there',
    ]);
    expect(existsSync('/proc/coupling-lab-cli')).toBe(false);
  });

  test('an interrupted run removes the directories it made', async () => {
    const parent = tmp();
    const out = join(parent, 'new', 'run');
    let cleanup: (() => void) | undefined;
    const interrupts = {
      onInterrupt: (registered: () => void) => {
        cleanup = registered;
        return () => (cleanup = undefined);
      },
    };
    // The user presses ^C while the first strategy is measured: the cleanup runs, the process would exit.
    class Interrupting extends Progress {
      override update(): void {
        expect(tree(parent)).toEqual(['new', join('new', 'run')]);
        cleanup?.();
        throw new Error('interrupted');
      }
    }
    await expect(
      run(['compare', '--quick', '--no-bench', '--strategy', 'direct', '--out', out], {
        interrupts,
        progress: new Interrupting(process.stderr, true),
      }),
    ).rejects.toThrow('interrupted');
    expect(tree(parent)).toEqual([]);
    expect(cleanup).toBeUndefined();
  });
});

test('a strategy failing conformance makes compare exit 1 after writing the reports', async () => {
  const out = tmp();
  const result = await run([
    '--plugin',
    fixture('broken-plugin.ts'),
    'compare',
    '--quick',
    '--no-bench',
    '--strategy',
    'broken',
    '--out',
    out,
  ]);
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/FAILED: broken/);
  expect(readFileSync(join(out, 'report.json'), 'utf8')).toContain('"broken"');
}, 30_000);

test('explore runs the catalogue against a real strategy (clean, exit 0) and convicts a variant with a replayable schedule', async () => {
  const clean = await run(['explore', 'add-vs-del', '--strategy', 'symbol-get', '--json']);
  expect(clean.code).toBe(0);
  expect(JSON.parse(clean.out)).toEqual({
    results: [expect.objectContaining({ scenario: 'add-vs-del', strategy: 'symbol-get', verdict: 'clean' })],
  });
  const race = await run(['explore', 'add-vs-del', '--strategy', 'symbol-get/v5.17-race', '--json']);
  const [found] = (JSON.parse(race.out) as { results: { verdict: string; kind: string; schedule: string }[] })
    .results;
  expect(found).toMatchObject({ verdict: 'violation', kind: 'stale-association' });
  const replayed = await run([
    'explore',
    'add-vs-del',
    '--strategy',
    'symbol-get/v5.17-race',
    '--replay',
    found?.schedule ?? '',
    '--json',
  ]);
  expect(JSON.parse(replayed.out)).toEqual({
    results: [
      expect.objectContaining({ verdict: 'violation', kind: 'stale-association', schedule: found?.schedule }),
    ],
  });
});

test('explore prints the bound with every verdict; --no-por and --workers 2 convict the same variant with the same kind', async () => {
  const argv = ['explore', 'add-vs-del', '--strategy', 'symbol-get,symbol-get/v5.17-race', '--json'];
  const results = async (extra: string[]) => {
    const result = await run([...argv, ...extra]);
    expect(result.code).toBe(0);
    return (
      JSON.parse(result.out) as {
        results: { strategy: string; verdict: string; kind?: string; bound?: unknown }[];
      }
    ).results;
  };
  const reduced = await results(['--workers', '2']);
  const plain = await results(['--no-por']);
  for (const entry of [...reduced, ...plain]) expect(entry.bound).toEqual({ maxDepth: 2, maxPreemptions: 4 });
  const summary = (entries: typeof reduced) =>
    entries.map(({ strategy, verdict, kind }) => ({ strategy, verdict, kind }));
  expect(summary(reduced)).toEqual(summary(plain));
  expect(summary(reduced)).toContainEqual({
    strategy: 'symbol-get/v5.17-race',
    verdict: 'violation',
    kind: 'stale-association',
  });
});
