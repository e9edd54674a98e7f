import {
  countChartSvg,
  countUnits,
  forestPlotSvg,
  operationNames,
  type StrategyReport,
} from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

/** The attributes of every element of a kind in an SVG string, as plain records. */
function elements(svg: string, tag: string, className: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of svg.matchAll(new RegExp(`<${tag} class="${className}"([^>]*)>`, 'g'))) {
    found.push(
      Object.fromEntries(
        [...(match[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
      ),
    );
  }
  return found;
}

/** Where the forest plot puts each row's square and interval, read back from its SVG. */
function forestRows(
  svg: string,
): { strategy: string; operation: string; estimate: number; low: number; high: number }[] {
  return [
    ...svg.matchAll(
      /<g class="forest-row" data-strategy="([^"]*)" data-operation="([^"]*)">([\s\S]*?)<\/g>/g,
    ),
  ].map((m) => {
    const body = m[3] ?? '';
    const path = /class="interval" d="M([\d.]+),[\d.]+ H([\d.]+)/.exec(body);
    const rect = /class="estimate" x="([\d.]+)"[^>]*? width="([\d.]+)"/.exec(body);
    return {
      strategy: m[1] ?? '',
      operation: m[2] ?? '',
      estimate: Number(rect?.[1]) + Number(rect?.[2]) / 2,
      low: Number(path?.[1]),
      high: Number(path?.[2]),
    };
  });
}

test('the forest plot has a row per timed strategy and operation, its square inside its interval', () => {
  const { strategies } = sampleReport();
  const rows = forestRows(forestPlotSvg(strategies));
  expect(rows.map((r) => `${r.operation} ${r.strategy}`)).toEqual(
    operationNames.flatMap((op) => strategies.map((s) => `${op} ${s.name}`)),
  );
  for (const row of rows) {
    expect(row.low).toBeLessThanOrEqual(row.estimate + 0.1);
    expect(row.estimate).toBeLessThanOrEqual(row.high + 0.1);
  }
});

test('the forest plot is centred on 1.0: direct sits on the reference line, ×r and ÷r equally far from it', () => {
  const base = sampleReport().strategies;
  const [direct, other] = base;
  if (direct === undefined || other === undefined) throw new Error('sample report is too short');
  const timed = (ratio: number): StrategyReport => ({
    ...other,
    name: `x${ratio}`,
    bench: Object.fromEntries(
      operationNames.map((op) => [op, { nsPerOp: 100, ratioToDirect: ratio, ci: [ratio, ratio] }]),
    ) as StrategyReport['bench'],
  });
  const svg = forestPlotSvg([direct, timed(1.25), timed(0.8)]);
  const reference = Number(/class="reference" x1="([\d.]+)"/.exec(svg)?.[1]);
  const rows = forestRows(svg).filter((r) => r.operation === 'GROUP_ADD');
  const at = (name: string): number => rows.find((r) => r.strategy === name)?.estimate ?? NaN;
  expect(at('direct')).toBeCloseTo(reference, 0);
  expect(at('x1.25') - reference).toBeGreaterThan(0);
  expect(at('x1.25') - reference).toBeCloseTo(reference - at('x0.8'), 0);
});

test('the forest plot leaves out strategies that were not timed, and keeps its numbers right of the plot', () => {
  const { strategies } = sampleReport();
  const [first] = strategies;
  if (first === undefined) throw new Error('sample report has no strategies');
  delete first.bench;
  const svg = forestPlotSvg(strategies);
  const rows = forestRows(svg);
  expect(rows).toHaveLength((strategies.length - 1) * operationNames.length);
  expect(rows.some((r) => r.strategy === first.name)).toBe(false);
  const rightmost = Math.max(...rows.map((r) => r.high));
  for (const label of elements(svg, 'text', 'value-label'))
    expect(Number(label.x)).toBeGreaterThan(rightmost);
});

test('the counted costs are one chart per unit, each bar the raw count of its strategy and operation', () => {
  const report = JSON.parse(JSON.stringify(sampleReport())) as ReturnType<typeof sampleReport>;
  expect(countUnits.map((u) => u.key)).toEqual([
    'symbolLookups',
    'moduleGets',
    'modulePuts',
    'crossModuleCalls',
    'lockAcquisitions',
  ]);
  for (const unit of countUnits) {
    const bars = elements(countChartSvg(report.strategies, unit), 'rect', 'bar');
    expect(bars.map((b) => [b['data-strategy'], b['data-operation'], Number(b['data-value'])])).toEqual(
      operationNames.flatMap((op) => report.strategies.map((s) => [s.name, op, s.counts[op][unit.key]])),
    );
    // Longer bars for larger counts, on one axis from 0.
    const widths = new Map(bars.map((b) => [Number(b['data-value']), Number(b.width)]));
    const sorted = [...widths].sort(([a], [b]) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]?.[1] ?? 0).toBeGreaterThan(sorted[i - 1]?.[1] ?? 0);
  }
});

test('chart text is escaped', () => {
  const { strategies } = sampleReport();
  const [first] = strategies;
  if (first === undefined) throw new Error('sample report has no strategies');
  first.name = `<b>&'"`;
  for (const svg of [
    forestPlotSvg(strategies),
    countChartSvg(strategies, countUnits[0] ?? { key: 'symbolLookups', title: 'x' }),
  ]) {
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&amp;&#39;&quot;');
  }
});
