import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOutDir, writeReports } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'coupling-lab-reports-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('writeReports creates the directory and writes report.md, report.json and report.html', () => {
  const report = sampleReport();
  const outDir = join(dir, 'nested', 'run');
  const { files } = writeReports(report, outDir);
  expect(files).toEqual(['report.md', 'report.json', 'report.html'].map((f) => join(outDir, f)));
  expect(JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'))).toEqual(report);
  expect(readFileSync(join(outDir, 'report.md'), 'utf8')).toMatch(/^# coupling-lab comparison/);
  expect(readFileSync(join(outDir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
});

test('an unwritable directory gives one readable line', () => {
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, '');
  const outDir = join(blocker, 'reports');
  let message = '';
  try {
    writeReports(sampleReport(), outDir);
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  expect(message).toBe(`cannot write reports to ${outDir}: a parent of it is a file, not a directory`);
});

test('the default directory is reports/ and a timestamp with no colons', () => {
  expect(defaultOutDir(new Date('2025-11-23T22:10:05.123Z'))).toBe(
    join('reports', '2025-11-23T22-10-05.123Z'),
  );
});
