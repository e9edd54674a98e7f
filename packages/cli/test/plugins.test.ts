import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/index.js';
import { fixture, run, runBuilt, tmp } from './cli-run.js';

// Each fixture registers into the process's one container and stays there: every test uses its own.

const oneLine = (text: string): string[] => text.trim().split('\n');

/** A plugin error: exit 1, one line naming the plugin, no stack trace. */
function expectPluginError(result: { code: number; err: string; out: string }, message: RegExp): void {
  expect(result.code).toBe(1);
  expect(oneLine(result.err)).toEqual([expect.stringMatching(message)]);
  expect(result.err).not.toMatch(/\n\s+at |tsyringe|Cannot inject/);
  expect(result.out).toBe('');
}

test('a plugin that throws on import, registers nothing or does not exist is one readable line, exit 1', async () => {
  expectPluginError(
    await run(['--plugin', fixture('throwing-plugin.ts'), 'list']),
    /^coupling-lab: plugin .*throwing-plugin\.ts failed to load: this plugin is broken on purpose$/,
  );
  expectPluginError(
    await run(['--plugin', fixture('empty-plugin.ts'), 'list']),
    /plugin .*empty-plugin\.ts registered no strategy/,
  );
  expectPluginError(
    await run(['--plugin', './no/such/plugin', 'list']),
    /plugin \.\/no\/such\/plugin: no such file or directory/,
  );
});

test('a plugin registering a name that is taken is named as a collision', async () => {
  expectPluginError(
    await run(['--plugin', fixture('colliding-plugin.ts'), 'list']),
    /^coupling-lab: plugin .*colliding-plugin\.ts registers strategy "direct", a name already registered; rename it$/,
  );
});

test('the same plugin twice is named as a repeat, even through two spellings of its path', async () => {
  expectPluginError(
    await run([
      '--plugin',
      fixture('twice-plugin.ts'),
      '--plugin',
      './test/fixtures/twice-plugin.ts',
      'list',
    ]),
    /^coupling-lab: plugin \.\/test\/fixtures\/twice-plugin\.ts is given twice \(it is the same module as --plugin .*twice-plugin\.ts\)$/,
  );
});

test('a strategy without modules() is refused on load, naming the plugin, the strategy and the member', async () => {
  expectPluginError(
    await run(['--plugin', fixture('incomplete-plugin.ts'), 'list']),
    /^coupling-lab: plugin .*incomplete-plugin\.ts: strategy "incomplete" \(Incomplete\) is not a CouplingStrategy: modules\(\) is missing$/,
  );
});

test('a TypeScript plugin run by plain node is told to build first', async () => {
  const result = await runBuilt(['--plugin', fixture('typescript-plugin.ts'), 'list']);
  expect(result.code).toBe(1);
  expect(oneLine(result.err)).toEqual([
    expect.stringMatching(
      /^coupling-lab: plugin .*typescript-plugin\.ts is TypeScript, which node cannot load: build it first/,
    ),
  ]);
}, 30_000);

test('in compare, a strategy that crashes is reported with its phase and the others run', async () => {
  const out = tmp();
  const result = await run([
    '--plugin',
    fixture('crashing-plugin.ts'),
    'compare',
    '--quick',
    '--no-bench',
    '--strategy',
    'direct,crashing,get-ops',
    '--out',
    out,
  ]);
  expect(result.code).toBe(1);
  expect(result.err).toContain(
    'crashing crashed in conformance on v5.17: the images of this strategy are broken on purpose\n',
  );
  expect(result.err).not.toMatch(/\n\s+at /);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(report.strategies.map((s) => s.name)).toEqual(['direct', 'get-ops']);
  expect(report.crashes).toEqual([
    { name: 'crashing', phase: 'conformance', message: 'the images of this strategy are broken on purpose' },
  ]);
  expect(existsSync(join(out, 'report.html'))).toBe(true);
}, 30_000);
