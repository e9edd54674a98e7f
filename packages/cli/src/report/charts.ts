import {
  axis,
  chart,
  groupHeaders,
  layoutGroups,
  niceScale,
  rowLabel,
  svgDocument,
  type ChartGroup,
} from './chart-layout.js';
import { escapeHtml } from './escape.js';
import { formatNs, formatRatio, plural } from './format.js';
import { strategyColour } from './palette.js';
import {
  operationNames,
  type BenchCell,
  type CountRow,
  type OperationName,
  type StrategyReport,
} from './types.js';

const top = 34;

function bar(x: number, y: number, width: number, fill: string, tooltip: string): string {
  return `<rect class="bar" x="${x}" y="${y}" width="${Math.max(width, 0)}" height="${chart.barHeight}" fill="${fill}"><title>${escapeHtml(tooltip)}</title></rect>`;
}

function valueText(x: number, y: number, text: string): string {
  return `<text x="${x + 6}" y="${y + chart.barHeight - 2}" font-size="11" fill="#333">${escapeHtml(text)}</text>`;
}

function byOperation<T>(
  strategies: readonly StrategyReport[],
  pick: (s: StrategyReport) => Record<OperationName, T> | undefined,
): ChartGroup<{ value: T; colour: string; strategy: string }>[] {
  return operationNames.map((op) => ({
    title: op,
    rows: strategies.flatMap((s, i) => {
      const value = pick(s)?.[op];
      return value === undefined
        ? []
        : [{ label: s.name, datum: { value, colour: strategyColour(i), strategy: s.name } }];
    }),
  }));
}

/**
 * Ratio to direct per operation: a bar per timed strategy, grouped by operation, with whiskers for
 * the interval and a dashed reference line at 1.0 (as fast as direct). Strategies keep their
 * report-order colour even when some were not timed.
 */
export function ratioChartSvg(strategies: readonly StrategyReport[]): string {
  const groups = byOperation<BenchCell>(strategies, (s) => s.bench);
  const layout = layoutGroups(groups, top);
  const cells = layout.rows.map((r) => r.datum.value);
  const scale = niceScale(Math.max(1, ...cells.flatMap((c) => [c.ratioToDirect, c.ci[1]])) * 1.05, false);
  const bars = layout.rows.map(({ y, datum: { value, colour, strategy }, label }) => {
    const [ciLow, ciHigh] = value.ci;
    const low = scale.x(ciLow);
    const high = scale.x(ciHigh);
    const mid = y + chart.barHeight / 2;
    const end = scale.x(value.ratioToDirect);
    const tooltip = `${strategy}: ${formatRatio(value.ratioToDirect)} direct (interval ${ciLow.toFixed(2)}–${ciHigh.toFixed(2)}), ${formatNs(value.nsPerOp)}/op`;
    return (
      rowLabel(label, y) +
      bar(chart.plotX, y, end - chart.plotX, colour, tooltip) +
      `<path class="whisker" d="M${low},${mid} H${high} M${low},${mid - 4} V${mid + 4} M${high},${mid - 4} V${mid + 4}" stroke="#222" stroke-width="1.2" fill="none"/>` +
      valueText(Math.max(end, high), y, `${formatRatio(value.ratioToDirect)} · ${formatNs(value.nsPerOp)}`)
    );
  });
  const one = scale.x(1);
  const reference =
    `<line class="reference" x1="${one}" y1="${top - 6}" x2="${one}" y2="${layout.bottom}" stroke="#b00020" stroke-width="1.4" stroke-dasharray="5 3"/>` +
    `<text x="${one}" y="${top - 10}" text-anchor="middle" font-size="11" fill="#b00020">1.0 = direct</text>`;
  const height = layout.bottom + chart.axisHeight;
  return svgDocument(
    'ratio',
    'Time per operation relative to direct, with intervals',
    height,
    axis(scale, top - 4, layout.bottom) + groupHeaders(layout) + bars.join('') + reference,
  );
}

const countParts: { key: keyof CountRow; label: string; short: string; colour: string }[] = [
  // Kept apart from the strategy colours, so a segment is never mistaken for a strategy.
  { key: 'symbolLookups', label: 'symbol lookups', short: 'lookup', colour: '#6a3d9a' },
  { key: 'moduleGets', label: 'module gets', short: 'get', colour: '#b2182b' },
  { key: 'crossModuleCalls', label: 'cross-module calls', short: 'call', colour: '#8d99a6' },
];

function countsLegend(): string {
  return countParts
    .map(
      (p, i) =>
        `<g class="legend"><rect x="${chart.plotX + i * 150}" y="8" width="12" height="12" fill="${p.colour}"/><text x="${chart.plotX + i * 150 + 17}" y="18" font-size="11" fill="#333">${escapeHtml(p.label)}</text></g>`,
    )
    .join('');
}

/**
 * Counted costs per operation: a stacked bar per strategy of its symbol lookups, module gets and
 * cross-module calls, grouped by operation.
 */
export function countsChartSvg(strategies: readonly StrategyReport[]): string {
  const layout = layoutGroups(
    byOperation<CountRow>(strategies, (s) => s.counts),
    top,
  );
  const total = (c: CountRow) => countParts.reduce((sum, p) => sum + c[p.key], 0);
  const scale = niceScale(Math.max(0, ...layout.rows.map((r) => total(r.datum.value))), true);
  const bars = layout.rows.map(({ y, datum: { value, strategy }, label }) => {
    let x = chart.plotX;
    const segments = countParts.map((p) => {
      const width = scale.x(value[p.key]) - chart.plotX;
      const segment =
        value[p.key] > 0 ? bar(x, y, width, p.colour, `${strategy}: ${value[p.key]} ${p.label}`) : '';
      x += width;
      return segment;
    });
    const summary = countParts.map((p) => plural(value[p.key], p.short)).join(' · ');
    return rowLabel(label, y) + segments.join('') + valueText(x, y, summary);
  });
  return svgDocument(
    'counts',
    'Counted costs per operation: symbol lookups, module gets and cross-module calls',
    layout.bottom + chart.axisHeight,
    countsLegend() + axis(scale, top - 4, layout.bottom) + groupHeaders(layout) + bars.join(''),
  );
}
