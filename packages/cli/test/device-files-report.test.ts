import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/index.js';
import { run, tmp } from './cli-run.js';

// Two of the v6.6 strategies keep the run short; bench's change-cost test measures all four.
const V66 = ['symbol-get-file', 'get-ops'];

test('compare --linux v6.6 shows the "To accept device files" block for every strategy in report.md, .json and .html', async () => {
  const out = tmp();
  const result = await run([
    'compare',
    '--quick',
    '--no-bench',
    '--linux',
    'v6.6',
    '--strategy',
    V66.join(','),
    '--out',
    out,
  ]);
  expect(result.code).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(report.strategies.map((s) => s.name)).toEqual(V66);
  for (const strategy of report.strategies) {
    expect(strategy.deviceFiles?.deviceFileAdd).toEqual({
      groupsOnly: 'no device cdev',
      withDeviceFiles: 'ok',
    });
  }
  const getOps = report.strategies.find((s) => s.name === 'get-ops');
  const file = report.strategies.find((s) => s.name === 'symbol-get-file');
  expect(getOps?.deviceFiles?.kvmLookups.added).toEqual([]);
  expect(file?.deviceFiles?.kvmLookups.added).toEqual(['vfio_file_is_valid']);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/\| \*\*To accept device files\*\* \|/);
  expect(md).toMatch(
    /\| Symbols KVM must look up, added \/ gone \| \+ vfio_file_is_valid<br>- vfio_file_is_group \| none \|/,
  );
  expect(md).toMatch(
    /\*\*To accept device files\*\* \(rows above\): Linux v6\.6 let QEMU hand KVM a VFIO device fd/,
  );
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html).toContain('<th colspan="3" scope="rowgroup">To accept device files</th>');
  expect(html).toContain('id="device-files"');
}, 20_000);

test('compare on v5.17 has no device-file block (that kernel has no device files)', async () => {
  const out = tmp();
  const result = await run(['compare', '--quick', '--no-bench', '--strategy', 'get-ops', '--out', out]);
  expect(result.code).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(report.strategies[0]?.deviceFiles).toBeUndefined();
  expect(readFileSync(join(out, 'report.md'), 'utf8')).not.toContain('To accept device files');
});
