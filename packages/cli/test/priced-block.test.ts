import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-symbol-get';
import { publishedCostTable } from '@coupling-lab/bench';
import { boot } from '@coupling-lab/lab';
import { buildReport } from '../src/build-report.js';
import { renderHtml, renderMarkdown, type Report } from '../src/report/index.js';
import { comparisonRows } from '../src/report/comparison-rows.js';

const quiet = { update: () => undefined, done: () => undefined } as never;

async function pricedReport(): Promise<Report> {
  const strategies = ['direct', 'symbol-get'].map((name) => boot({ strategy: name }).strategy);
  return buildReport({
    linux: 'v5.17',
    strategies,
    variants: [],
    quick: true,
    progress: quiet,
    costTable: publishedCostTable('no C compiler (cc is not on the PATH)'),
    command: ['compare', '--quick'],
  });
}

test('the report prices every strategy and operation, and the fallback is named', async () => {
  const report = await pricedReport();
  const priced = report.priced;
  expect(priced?.source).toBe('published');
  expect(priced?.strategies.map((s) => s.name)).toEqual(['direct', 'symbol-get']);
  const symbolGet = priced?.strategies[1]?.operations.GROUP_ADD;
  const direct = priced?.strategies[0]?.operations.GROUP_ADD;
  expect(symbolGet?.findSymbol).toBe(6);
  expect(symbolGet?.ns).toBeGreaterThan(direct?.ns ?? Infinity);
  expect(symbolGet?.lowNs).toBeLessThan(symbolGet?.ns ?? 0);
  expect(symbolGet?.highNs).toBeGreaterThan(symbolGet?.ns ?? Infinity);
  expect(priced?.interpretation).toMatch(/^symbol-get pays 6 find_symbol walks per GROUP_ADD/);
  const markdown = renderMarkdown(report);
  expect(markdown).toContain('## Priced in the kernel');
  expect(markdown).toContain(priced?.interpretation);
  expect(markdown).toContain('FALLBACK: no C compiler (cc is not on the PATH)');
  expect(markdown).toContain('| find_symbol (symbol_get, symbol_put) |');
  const html = await renderHtml(report);
  expect(html).toContain('<section id="priced">');
  expect(html).toContain('id="priced-chart"');
  expect(html).toContain('id="primitive-table"');
  const rows = comparisonRows(report);
  expect(rows.some((row) => row.kind === 'section' && row.title.startsWith('Priced in the kernel'))).toBe(
    true,
  );
});
