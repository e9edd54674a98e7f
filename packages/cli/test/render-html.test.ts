import { renderHtml } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

test('the page escapes a <script> in a strategy summary', () => {
  const report = sampleReport();
  const first = report.strategies[0];
  if (first === undefined) throw new Error('sample report has no strategies');
  first.summary = '<script>alert("x")</script> & more';
  const html = renderHtml(report);
  expect(html).not.toMatch(/<script/i);
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
});

test('the page escapes a hostile strategy name everywhere it appears, attributes included', () => {
  const report = sampleReport();
  const first = report.strategies[0];
  if (first === undefined) throw new Error('sample report has no strategies');
  first.name = '"><img src=x onerror=alert(1)>';
  const html = renderHtml(report);
  expect(html).not.toContain('<img');
  expect(html).toContain('data-strategy="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
});

test('the page is self-contained: no script, no external resource', () => {
  const html = renderHtml(sampleReport());
  expect(html).not.toMatch(/<script|<link|@import|url\(http|src="http/i);
  expect(html).toContain("default-src 'none'");
});

test('the page has the comparison table, both charts and a module graph per strategy', () => {
  const report = sampleReport();
  const html = renderHtml(report);
  expect(html).toContain('<table id="comparison">');
  expect(html).toMatch(/<figure id="ratio-chart"><svg/);
  expect(html).toMatch(/<figure id="counts-chart"><svg/);
  for (const s of report.strategies)
    expect(html).toContain(`<figure class="module-graph" data-strategy="${s.name}"><svg`);
});

test('without timings the ratio chart becomes a note', () => {
  const report = sampleReport();
  for (const s of report.strategies) delete s.bench;
  const html = renderHtml(report);
  expect(html).toMatch(/<figure id="ratio-chart"><p class="note">This run has no timings/);
  expect(html).toMatch(/<figure id="counts-chart"><svg/);
});
