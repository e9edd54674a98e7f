import { renderTable, visibleLength } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

const ansiEscape = '\x1b[';

test('wide enough, the table has a column headed by each strategy, in report order', () => {
  const report = sampleReport();
  const header =
    renderTable(report, { colour: false, width: 200 })
      .split('\n')
      .find((line) => line.includes('│')) ?? '';
  const columns = header
    .split('│')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  expect(columns).toEqual(report.strategies.map((s) => s.name));
});

test('the table starts by naming the kernel its numbers are for, and who is not on it', () => {
  const report = {
    ...sampleReport(),
    linux: { name: 'v6.6', summary: 'file-based VFIO' },
    notOnKernel: [{ name: 'symbol-get', reason: 'its functions were removed in v5.19' }],
  };
  const first = renderTable(report, { colour: false, width: 200 }).split('\n')[0] ?? '';
  expect(first).toBe(
    'Linux v6.6: file-based VFIO. Every number here is for this kernel. Not on this kernel: symbol-get (its functions were removed in v5.19).',
  );
});

test('without colour the table has no ANSI codes; with colour it has them', () => {
  const report = sampleReport();
  expect(renderTable(report, { colour: false })).not.toContain(ansiEscape);
  expect(renderTable(report, { colour: true })).toContain(ansiEscape);
});

test('the table shows counted costs, races with their schedule, timings and what differs', () => {
  const report = sampleReport();
  const text = renderTable(report, { colour: false, width: 200 });
  // Cells wrap at the column width, so look for pieces short enough to stay on one line.
  expect(text).toContain('1 lookup · 1 get/1 put');
  expect(text).toContain('(3 indirect)');
  expect(text).toContain('violation:');
  expect(text).toContain('clean · 310 schedules');
  expect(text).toContain('751 ns · 1.82× [1.75–1.89]');
  expect(text).toContain('What differs');
  for (const line of report.differences) expect(text.replace(/\n\s+/g, ' ')).toContain(`- ${line}`);
});

test.each([80, 60, 40])(
  'at %i columns no line is wider, the layout is stacked and no data is lost',
  (width) => {
    const report = sampleReport();
    for (const colour of [false, true]) {
      const text = renderTable(report, { colour, width });
      for (const line of text.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(width);
    }
    const text = renderTable(report, { colour: false, width });
    expect(text).not.toContain('┌');
    const flat = text.replace(/\n\s*/g, ' ');
    for (const s of report.strategies) {
      expect(flat).toContain(s.summary);
      expect(flat).toContain(`${s.conformance.passed} passed / ${s.conformance.failed} failed`);
    }
    expect(flat).toContain('violation: stale-association · 1 2@8');
    for (const line of report.differences) expect(flat).toContain(line);
  },
);

test('without timings the table leaves out the timed rows', () => {
  const report = sampleReport();
  for (const s of report.strategies) delete s.bench;
  delete report.benchMeta;
  const text = renderTable(report, { colour: false });
  expect(text).not.toContain('ns/op');
  expect(text).not.toContain('Timings:');
});
