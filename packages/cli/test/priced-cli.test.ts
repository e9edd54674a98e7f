import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchNote } from '../src/report/comparison-rows.js';
import type { Report } from '../src/report/index.js';
import { builtCli, run, tmp } from './cli-run.js';
import { sampleReport } from './sample-report.js';

function compare(env: NodeJS.ProcessEnv): { out: string; report: Report } {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`pnpm build\` first`);
  const out = tmp();
  const result = spawnSync(
    process.execPath,
    [builtCli, 'compare', '--quick', '--no-bench', '--strategy', 'direct,get-ops', '--out', out, '--force'],
    { env, encoding: 'utf8' },
  );
  expect(result.status).toBe(0);
  return { out: result.stdout, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report };
}

test('compare prices every strategy with the C harness, and names the published fallback when cc is not on the PATH', () => {
  const native = compare(process.env);
  expect(native.report.priced?.source).toBe('harness');
  expect(native.report.priced?.strategies.map((s) => s.name)).toEqual(['direct', 'get-ops']);
  expect(native.out).toContain('timed on this machine by the C harness');
  const stripped = compare({ ...process.env, PATH: '' });
  expect(stripped.report.priced?.source).toBe('published');
  expect(stripped.out).toContain('FALLBACK: no C compiler (cc is not on the PATH)');
});

test('the bench note never prints a floor below timer resolution as a number, nor a negative hook overhead', () => {
  const report = sampleReport();
  report.benchMeta = {
    rounds: 9,
    floorNsPerOp: { GROUP_ADD: 31, DEVICE_CREATE: null },
    hookWithinNoise: true,
  };
  const note = benchNote(report) ?? '';
  expect(note).toContain('GROUP_ADD 31 ns');
  expect(note).toContain('DEVICE_CREATE below timer resolution');
  expect(note).toContain('a no-op preemption hook on direct: within noise');
  report.benchMeta = { rounds: 9, floorNsPerOp: {}, hookOverheadPercent: -4.9 };
  expect(benchNote(report)).not.toContain('-4.9');
});

test('bench --baseline with a file that is not a saved run is a one-line usage error', async () => {
  const dir = tmp();
  const missing = await run(['bench', '--quick', '--baseline', join(dir, 'nope.json')]);
  expect(missing.code).toBe(2);
  expect(missing.err).toContain('--baseline');
  writeFileSync(join(dir, 'bad.json'), '{"not": "a bench"}');
  const bad = await run(['bench', '--quick', '--baseline', join(dir, 'bad.json')]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('not a result saved by coupling-lab bench --save-baseline');
});
