import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { history, historyOnlyVariants } from '@coupling-lab/explorer';
import { historyEntries } from '../src/history.js';
import { type HistoryEntry, type Report, renderHtml, renderMarkdown } from '../src/report/index.js';
import { run, tmp } from './cli-run.js';
import { sampleReport } from './sample-report.js';

const entries = historyEntries();

test('coupling-lab history shows every row with its code, verdict and fix, and exits 0 when each is as upstream', async () => {
  const result = await run(['history'], { width: 200 });
  expect(result.code).toBe(entries.every((entry) => entry.matches) ? 0 : 1);
  expect(result.code).toBe(0);
  for (const row of history) {
    expect(result.out).toContain(`${row.when}: ${row.version}`);
    expect(result.out).toContain(row.strategy);
    if (row.fix !== undefined) expect(result.out).toContain(row.fix.source);
  }
  expect(result.out.match(/as upstream/g)?.length).toBeGreaterThanOrEqual(history.length);
});

test('history --json: one entry per row, each conviction the expected kind with a replay that the CLI reproduces', async () => {
  const result = await run(['history', '--json']);
  expect(result.code).toBe(0);
  const parsed = JSON.parse(result.out) as { history: HistoryEntry[] };
  expect(parsed.history.map((entry) => entry.run.strategy)).toEqual(history.map((row) => row.strategy));
  for (const entry of parsed.history) {
    expect(entry.matches).toBe(true);
    if (entry.expected === 'clean') {
      expect(entry.run.verdict).toBe('clean');
      continue;
    }
    expect({ verdict: entry.run.verdict, kind: entry.run.kind }).toEqual({
      verdict: 'violation',
      kind: entry.expected,
    });
    expect(entry.fix?.verdict).toBe('clean');
    expect(entry.fix?.bound).toMatch(/^exhaustive, depth \d+, \d+ preemptions$/);
    const replayed = await run([
      'explore',
      entry.scenario,
      '--strategy',
      entry.run.strategy,
      '--linux',
      entry.linux,
      '--replay',
      entry.run.schedule ?? '',
      '--json',
    ]);
    const results = (JSON.parse(replayed.out) as { results: { kind?: string }[] }).results;
    expect(results.map((r) => r.kind)).toEqual([entry.expected]);
  }
});

test("the report's History section, in Markdown and HTML, has every row, its lesson and each conviction's interleaving", async () => {
  const report = { ...sampleReport(), history: entries };
  const markdown = renderMarkdown(report);
  const section = markdown.slice(markdown.indexOf('## History'), markdown.indexOf('## Strategies'));
  const html = await renderHtml(report);
  const htmlSection = html.slice(
    html.indexOf('<section id="history">'),
    html.indexOf('<section><h2>Strategies'),
  );
  for (const entry of entries) {
    expect(section).toContain(`\`${entry.run.strategy}\``);
    expect(section).toContain(entry.lesson.slice(0, 40));
    expect(htmlSection).toContain(`data-history="${entry.run.strategy}"`);
    if (entry.run.report !== undefined) {
      expect(section).toContain(entry.run.report.replay ?? 'no replay');
      // The two-column interleaving: thread A and B head their columns.
      expect(section).toMatch(/thread A +│ thread B/);
    }
  }
  expect(htmlSection).toContain('&lt;8-v1-33906a626da1+16b0-vfio_kvm_no_group_jgg@nvidia.com&gt;');
  // Without history, no section.
  expect(renderMarkdown(sampleReport())).not.toContain('## History');
  expect(await renderHtml(sampleReport())).not.toContain('id="history"');
});

test("compare's report carries the History section, and races the history's own variants only there", async () => {
  const out = join(tmp(), 'out');
  const result = await run([
    'compare',
    '--quick',
    '--no-bench',
    '--json',
    '--linux',
    'v6.6',
    '--strategy',
    'symbol-get-file',
    '--out',
    out,
  ]);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.out) as Report;
  expect(report.history?.map((entry) => entry.run.strategy)).toEqual(history.map((row) => row.strategy));
  const raced = (report.variants ?? []).map((variant) => variant.name);
  for (const name of historyOnlyVariants()) expect(raced).not.toContain(name);
  expect(raced).toContain('symbol-get-file/v5.19-race');
  expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## History');
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<section id="history">');
});
