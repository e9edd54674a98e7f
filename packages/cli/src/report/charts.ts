import { ratioScale, round, svgDocument, text, zeroScale, type Scale } from './chart-layout.js';
import { escapeHtml } from './escape.js';
import { formatNs, formatRatio } from './format.js';
import { strategyColour } from './palette.js';
import { operationNames, type CountRow, type StrategyReport } from './types.js';

/** Keeps the ticks at least `gap` apart on screen, 1.0 first and then outwards, so tick labels never touch. */
function spacedTicks(scale: Scale, gap: number, centre: number): number[] {
  const byDistance = [...scale.ticks].sort(
    (a, b) => Math.abs(scale.x(a) - scale.x(centre)) - Math.abs(scale.x(b) - scale.x(centre)),
  );
  const kept: number[] = [];
  for (const tick of byDistance)
    if (kept.every((other) => Math.abs(scale.x(other) - scale.x(tick)) >= gap)) kept.push(tick);
  return kept.sort((a, b) => a - b);
}

const forest = {
  width: 760,
  labelEnd: 160,
  plotFrom: 176,
  plotTo: 536,
  valueX: 556,
  top: 40,
  groupHeader: 22,
  row: 20,
  groupGap: 8,
  axis: 30,
};

/**
 * Time relative to direct as a forest plot: per operation, a row per timed strategy with its
 * ratio (a square) and its interval (a line with caps), on a log axis centred on 1.0 (as fast as
 * direct, the dashed line) so that slower and faster sit symmetrically. Numbers have their own
 * column right of the plot; labels theirs on the left, so no whisker runs into text.
 */
export function forestPlotSvg(strategies: readonly StrategyReport[]): string {
  const rows = operationNames.map((op) => ({
    op,
    cells: strategies.flatMap((s, index) => {
      const cell = s.bench?.[op];
      return cell === undefined ? [] : [{ name: s.name, colour: strategyColour(index), cell }];
    }),
  }));
  const values = rows.flatMap((r) =>
    r.cells.flatMap(({ cell }) => [cell.ratioToDirect, cell.ci[0], cell.ci[1]]),
  );
  const scale = ratioScale(values, forest.plotFrom, forest.plotTo);
  let y = forest.top;
  const parts: string[] = [];
  for (const { op, cells } of rows) {
    if (cells.length === 0) continue;
    parts.push(text(10, y + 15, op, { size: 12, weight: 600, fill: '#222', className: 'group-label' }));
    y += forest.groupHeader;
    for (const { name, colour, cell } of cells) {
      const mid = y + forest.row / 2;
      const [low, high] = cell.ci;
      const x = scale.x(cell.ratioToDirect);
      const tooltip = `${name} ${op}: ${formatRatio(cell.ratioToDirect)} direct (interval ${low.toFixed(2)}–${high.toFixed(2)}), ${formatNs(cell.nsPerOp)}/op`;
      const baseline = low === 1 && high === 1 && cell.ratioToDirect === 1;
      parts.push(
        `<g class="forest-row" data-strategy="${escapeHtml(name)}" data-operation="${op}"><title>${escapeHtml(tooltip)}</title>` +
          text(forest.labelEnd, mid + 4, name, { anchor: 'end', size: 12, className: 'row-label' }) +
          `<path class="interval" d="M${round(scale.x(low))},${round(mid)} H${round(scale.x(high))} M${round(scale.x(low))},${round(mid - 4)} V${round(mid + 4)} M${round(scale.x(high))},${round(mid - 4)} V${round(mid + 4)}" stroke="${colour}" stroke-width="1.6" fill="none"/>` +
          `<rect class="estimate" x="${round(x - 4.5)}" y="${round(mid - 4.5)}" width="9" height="9" fill="${colour}" stroke="#222" stroke-width="0.6"/>` +
          text(
            forest.valueX,
            mid + 4,
            baseline
              ? 'baseline'
              : `${formatRatio(cell.ratioToDirect)} [${low.toFixed(2)}–${high.toFixed(2)}] · ${formatNs(cell.nsPerOp)}`,
            {
              size: 11,
              className: 'value-label',
            },
          ) +
          '</g>',
      );
      y += forest.row;
    }
    y += forest.groupGap;
  }
  const bottom = y;
  const ticks = spacedTicks(scale, 40, 1)
    .map(
      (tick) =>
        `<line x1="${round(scale.x(tick))}" y1="${forest.top - 4}" x2="${round(scale.x(tick))}" y2="${bottom}" stroke="#e3e6ec"/>` +
        text(scale.x(tick), bottom + 16, `${Number(tick.toFixed(2))}×`, {
          anchor: 'middle',
          size: 11,
          fill: '#555',
          className: 'tick-label',
        }),
    )
    .join('');
  const one = round(scale.x(1));
  const reference =
    `<line class="reference" x1="${one}" y1="${forest.top - 8}" x2="${one}" y2="${bottom}" stroke="#b00020" stroke-width="1.2" stroke-dasharray="5 3"/>` +
    text(one, forest.top - 14, '1.0 = as fast as direct', {
      anchor: 'middle',
      size: 11,
      fill: '#b00020',
      className: 'reference-label',
    }) +
    text(forest.plotFrom, forest.top - 14, '← faster', {
      size: 11,
      fill: '#555',
      className: 'direction-label',
    }) +
    text(forest.plotTo, forest.top - 14, 'slower →', {
      anchor: 'end',
      size: 11,
      fill: '#555',
      className: 'direction-label',
    });
  return svgDocument(
    'forest',
    'Time per operation relative to direct: ratio and interval, log scale centred on 1.0',
    { width: forest.width, height: bottom + forest.axis },
    `<g class="axis">${ticks}</g>${reference}${parts.join('')}`,
  );
}

/** The counted costs, one chart per unit: a number of one kind of event per operation. */
export const countUnits: readonly { key: keyof CountRow; title: string }[] = [
  { key: 'symbolLookups', title: 'symbol lookups' },
  { key: 'moduleGets', title: 'module gets (references taken)' },
  { key: 'modulePuts', title: 'module puts (references dropped)' },
  { key: 'crossModuleCalls', title: 'cross-module calls' },
  { key: 'lockAcquisitions', title: 'lock acquisitions' },
];

const counts = {
  width: 380,
  labelEnd: 108,
  plotFrom: 116,
  plotTo: 360,
  top: 30,
  bar: 5,
  barGap: 1,
  groupGap: 9,
  axis: 26,
};

/**
 * One small chart of one count: per operation a cluster of bars, one per strategy in its report
 * colour, on an integer axis from 0. Exact numbers are in the table and in each bar's tooltip.
 */
export function countChartSvg(
  strategies: readonly StrategyReport[],
  unit: (typeof countUnits)[number],
): string {
  const max = Math.max(0, ...strategies.flatMap((s) => operationNames.map((op) => s.counts[op][unit.key])));
  const scale = zeroScale(max, counts.plotFrom, counts.plotTo, true);
  const cluster = strategies.length * (counts.bar + counts.barGap);
  const parts: string[] = [];
  let y = counts.top;
  for (const op of operationNames) {
    parts.push(
      text(counts.labelEnd, y + cluster / 2 + 4, op, { anchor: 'end', size: 11, className: 'row-label' }),
    );
    strategies.forEach((s, index) => {
      const value = s.counts[op][unit.key];
      const by = y + index * (counts.bar + counts.barGap);
      parts.push(
        `<rect class="bar" data-strategy="${escapeHtml(s.name)}" data-operation="${op}" data-value="${value}" x="${counts.plotFrom}" y="${by}" width="${round(Math.max(scale.x(value) - counts.plotFrom, value > 0 ? 1 : 0))}" height="${counts.bar}" fill="${strategyColour(index)}"><title>${escapeHtml(`${s.name} ${op}: ${value} ${unit.title}`)}</title></rect>`,
      );
    });
    y += cluster + counts.groupGap;
  }
  const bottom = y - counts.groupGap + 4;
  const ticks = scale.ticks
    .map(
      (tick) =>
        `<line x1="${round(scale.x(tick))}" y1="${counts.top - 4}" x2="${round(scale.x(tick))}" y2="${bottom}" stroke="#e3e6ec"/>` +
        text(scale.x(tick), bottom + 14, String(tick), {
          anchor: 'middle',
          size: 10,
          fill: '#555',
          className: 'tick-label',
        }),
    )
    .join('');
  const id = `counts-${unit.key}`;
  return svgDocument(
    id,
    `${unit.title} per operation and strategy`,
    { width: counts.width, height: bottom + counts.axis },
    text(10, 16, unit.title, { size: 12, weight: 600, fill: '#222', className: 'chart-title' }) +
      `<g class="axis">${ticks}</g>${parts.join('')}`,
  );
}

/** The strategies' colours, as the charts draw them: an HTML legend listing only the strategies drawn. */
export function strategyLegendHtml(
  strategies: readonly StrategyReport[],
  drawn: (s: StrategyReport) => boolean,
): string {
  const items = strategies.flatMap((s, index) =>
    drawn(s)
      ? [
          `<li data-strategy="${escapeHtml(s.name)}"><span class="swatch" style="background:${strategyColour(index)}"></span>${escapeHtml(s.name)}</li>`,
        ]
      : [],
  );
  return `<ul class="strategy-legend">${items.join('')}</ul>`;
}
