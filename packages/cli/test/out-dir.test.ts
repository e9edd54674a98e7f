import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOutDir, OutDir, OutDirError, reportFiles } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'coupling-lab-out-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every path under `root`, relative, sorted: the directory's state, to compare before and after. */
function tree(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
}

function prepareError(path: string, force = false): OutDirError {
  try {
    OutDir.prepare(path, { force, cwd: dir });
  } catch (error) {
    if (error instanceof OutDirError) return error;
    throw error;
  }
  throw new Error(`expected ${path} to be refused`);
}

test('the reports are written into a new nested directory: report.md, report.json and report.html', async () => {
  const report = sampleReport();
  const out = OutDir.prepare(join(dir, 'nested', 'run'), { force: false });
  const files = out.write(await reportFiles(report));
  out.keep();
  expect(files).toEqual(
    ['report.md', 'report.json', 'report.html'].map((f) => join(dir, 'nested', 'run', f)),
  );
  expect(JSON.parse(readFileSync(join(dir, 'nested', 'run', 'report.json'), 'utf8'))).toEqual(report);
  expect(readFileSync(join(dir, 'nested', 'run', 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  expect(tree(join(dir, 'nested', 'run'))).toEqual(['report.html', 'report.json', 'report.md']);
});

test('an empty path is a usage error and touches nothing', () => {
  const before = tree(dir);
  for (const path of ['', '   ']) {
    const error = prepareError(path);
    expect(error.usage).toBe(true);
    expect(error.message).toMatch(/^--out needs a directory/);
  }
  expect(tree(dir)).toEqual(before);
});

test('a directory with files in it is refused without --force, and left as it was; with --force it is used', async () => {
  const full = join(dir, 'full');
  mkdirSync(full);
  writeFileSync(join(full, 'report.md'), 'an older report');
  writeFileSync(join(full, 'notes.txt'), 'mine');
  const before = tree(full);
  const error = prepareError(full);
  expect(error.usage).toBe(true);
  expect(error.message).toBe(
    `--out ${full} is not empty (2 entries: notes.txt, report.md); pass --force to write the reports into it`,
  );
  expect(tree(full)).toEqual(before);
  const out = OutDir.prepare(full, { force: true });
  out.write(await reportFiles(sampleReport()));
  out.keep();
  expect(tree(full)).toEqual(['notes.txt', 'report.html', 'report.json', 'report.md']);
  expect(readFileSync(join(full, 'notes.txt'), 'utf8')).toBe('mine');
  expect(readFileSync(join(full, 'report.md'), 'utf8')).not.toBe('an older report');
});

test('an empty existing directory is used without --force, and not removed when the run is discarded', () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  OutDir.prepare(empty, { force: false }).discard();
  expect(existsSync(empty)).toBe(true);
});

test('a file in the way, or under a file, is one readable line and leaves nothing behind', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  const before = tree(dir);
  expect(prepareError(file).message).toBe(
    `cannot write reports to ${file}: a file is in the way of the directory`,
  );
  expect(prepareError(join(file, 'deeper', 'reports')).message).toBe(
    `cannot write reports to ${join(file, 'deeper', 'reports')}: a parent of it is a file, not a directory`,
  );
  expect(tree(dir)).toEqual(before);
});

test('a file system that makes no directories (procfs) is refused at once, without hanging', () => {
  const error = prepareError('/proc/coupling-lab-test/reports');
  expect(error.usage).toBe(false);
  expect(error.message).toBe(
    'cannot write reports to /proc/coupling-lab-test/reports: the file system does not let a directory be made there',
  );
  expect(existsSync('/proc/coupling-lab-test')).toBe(false);
});

test('discarding a run removes what it made, innermost first, and nothing else', () => {
  const out = OutDir.prepare(join(dir, 'a', 'b', 'c'), { force: false });
  expect(tree(dir)).toEqual(['a', join('a', 'b'), join('a', 'b', 'c')]);
  out.discard();
  expect(tree(dir)).toEqual([]);
});

test('a write that fails removes the files and directories the run made', () => {
  const out = OutDir.prepare(join(dir, 'x', 'run'), { force: false });
  let message = '';
  try {
    // A report name that is a directory path: writing it fails half-way through the set.
    out.write([
      ['report.md', 'fine'],
      [join('no-such-dir', 'report.json'), 'fails'],
    ]);
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  expect(message).toMatch(/^cannot write reports to /);
  expect(tree(dir)).toEqual([]);
});

test('the default directory is reports/ and a timestamp with no colons', () => {
  expect(defaultOutDir(new Date('2025-11-23T22:10:05.123Z'))).toBe(
    join('reports', '2025-11-23T22-10-05.123Z'),
  );
});
