import { renderHtml } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

const special = `&<>"'`;
const escaped = '&amp;&lt;&gt;&quot;&#39;';

test('every HTML-special character is escaped wherever report text lands, the single quote included', async () => {
  const report = sampleReport();
  const first = report.strategies[0];
  const variant = report.variants?.[0];
  if (first === undefined || variant === undefined) throw new Error('sample report is too short');
  first.name = `name${special}`;
  first.summary = `summary${special}`;
  first.conformance.failures.push({ name: `case${special}`, error: `error${special}` });
  report.differences.push(`difference${special}`);
  variant.difference = `difference of the variant${special}`;
  report.machine.cpu = `cpu${special}`;
  const html = await renderHtml(report);
  for (const text of ['name', 'summary', 'case', 'error', 'difference', 'difference of the variant', 'cpu']) {
    expect(html).not.toContain(`${text}${special}`);
    expect(html).toContain(`${text}${escaped}`);
  }
  // In attributes too: a quote must not end the value it sits in.
  expect(html).toContain(`data-strategy="name${escaped}"`);
});

test('the page escapes a <script> in a strategy summary', async () => {
  const report = sampleReport();
  const first = report.strategies[0];
  if (first === undefined) throw new Error('sample report has no strategies');
  first.summary = '<script>alert("x")</script> & more';
  const html = await renderHtml(report);
  expect(html).not.toMatch(/<script/i);
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
});

test('the page is self-contained: no script, no external resource', async () => {
  const html = await renderHtml(sampleReport());
  expect(html).not.toMatch(/<script|<link|@import|url\(http|src="http|xlink:href="http/i);
  expect(html).toContain("default-src 'none'");
});

test('the page has the table, the forest plot, a chart per counted unit, the variants and a module graph per strategy', async () => {
  const report = sampleReport();
  const html = await renderHtml(report);
  expect(html).toContain('<table id="comparison">');
  expect(html).toMatch(/<figure id="forest-plot"><svg/);
  expect(html.match(/<figure class="count-chart" data-unit="\w+"><svg/g)).toHaveLength(5);
  for (const s of report.strategies)
    expect(html).toContain(
      `<figure class="module-graph" data-strategy="${s.name}"><svg class="module-graph-svg"`,
    );
  expect(html).toContain('<section id="variants">');
  for (const variant of report.variants ?? [])
    expect(html).toContain(`<article class="variant" data-variant="${variant.name}">`);
});

test('a conviction shows the bug report: title, who faulted, the interleaving with the nested step, the replay command', async () => {
  const report = sampleReport();
  const html = await renderHtml(report);
  const conviction = report.variants?.[0]?.races[0]?.report;
  if (conviction === undefined) throw new Error('the sample variant has no conviction');
  const article = html.slice(html.indexOf(`data-variant="${report.variants?.[0]?.name}"`));
  expect(article).toContain(`<p class="bug-title">${conviction.title}</p>`);
  expect(article).toContain('raised by thread A in step 1');
  expect(article).toMatch(
    /<tr class="nested" data-thread="2"><th scope="row">2<\/th><td><\/td><td[^>]*><span class="marker">↳<\/span>/,
  );
  expect(article).toMatch(/<tr class="faulted" data-thread="1">/);
  expect(article).toContain(`replay: <code>${conviction.replay?.replace(/'/g, '&#39;')}</code>`);
  expect(html).toContain('a variant is a strategy with one documented difference'.replace(/^a/, 'A'));
});

test('a variant no scenario convicts is said to be so', async () => {
  const html = await renderHtml(sampleReport());
  expect(html).toMatch(
    /<code>register-ops\/unlocked<\/code><\/th><td>[^<]*<\/td><td colspan="3" class="escaped">not convicted by any scenario/,
  );
});

test('the header records the commit and the command line', async () => {
  const report = sampleReport();
  const html = await renderHtml(report);
  expect(html).toContain(`commit <code>${report.run?.commit?.slice(0, 12)}</code>`);
  expect(html).toContain(`<code>${report.run?.command.join(' ')}</code>`);
});

test('without timings the forest plot becomes a note; the counted costs stay', async () => {
  const report = sampleReport();
  for (const s of report.strategies) delete s.bench;
  const html = await renderHtml(report);
  expect(html).toMatch(/<figure id="forest-plot"><p class="note">This run has no timings/);
  expect(html).toMatch(/<figure class="count-chart" data-unit="symbolLookups"><svg/);
});

test('a crash is listed at the top', async () => {
  const report = sampleReport();
  report.crashes = [{ name: 'broken', phase: 'coupling metrics', message: 'boom' }];
  const html = await renderHtml(report);
  expect(html).toContain(
    '<section id="crashes"><h2>Crashed</h2><ul class="failures"><li>broken crashed in coupling metrics: boom</li>',
  );
});
