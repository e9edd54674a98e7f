// The "Priced in the kernel" block: each strategy's counted primitives × what each primitive costs
// natively (the C harness) or by the published figures, so the comparison says what a coupling
// costs the kernel, not what it costs the model.
import { round, svgDocument, text } from './chart-layout.js';
import { escapeHtml } from './escape.js';
import { strategyColour } from './palette.js';
import { operationNames, type PricedCell, type PricedReport } from './types.js';

/** A kernel cost with the precision it has: "1.7 ns", "53 ns", "8.56 µs". */
export function formatCost(ns: number): string {
  return `${costNumber(ns, ns)} ${ns >= 1000 ? 'µs' : 'ns'}`;
}

/** `ns` in the unit `unitOf` picks, without the unit. */
function costNumber(ns: number, unitOf: number): string {
  if (unitOf >= 1000) return (ns / 1000).toFixed(unitOf >= 100_000 ? 0 : unitOf >= 10_000 ? 1 : 2);
  return unitOf >= 100 ? Math.round(ns).toString() : ns.toFixed(1);
}

/** e.g. "8.56 µs [8.47–8.81]": the estimate, then its interval in the same unit. */
export function formatPriced(cell: PricedCell): string {
  return `${formatCost(cell.ns)} [${costNumber(cell.lowNs, cell.ns)}–${costNumber(cell.highNs, cell.ns)}]`;
}

/** The lines of one cell: the estimate, then the reverse direction's part when there is one. */
export function pricedCellLines(cell: PricedCell): string[] {
  return cell.reverseNs > 0
    ? [formatPriced(cell), `of it VFIO→KVM ${formatCost(cell.reverseNs)}`]
    : [formatPriced(cell)];
}

/** Where the per-primitive costs come from, said plainly. */
export function pricedSourceLine(priced: PricedReport): string {
  const table =
    priced.symbolTable === undefined
      ? ''
      : ` find_symbol searches ${priced.symbolTable.vmlinuxSymbols.toLocaleString('en-US')} vmlinux exports and ${priced.symbolTable.modules} modules, the owner ${priced.symbolTable.ownerPosition}th on the list.`;
  const calls = priced.retpoline ? ' Indirect calls are priced through a retpoline thunk.' : '';
  const how =
    priced.source === 'harness'
      ? `Per-primitive costs timed on this machine by the C harness (${priced.detail}, -O2): median, interval from each primitive's quartiles.${table}`
      : `FALLBACK: ${priced.detail}, so the per-primitive costs are published figures (sources in the primitive table), not this machine's.`;
  return `${how}${calls} Estimated kernel time = counted primitives × per-primitive cost; the model's own timings further down are the lab's cost, not the kernel's.`;
}

/** The primitive table: label, median, quartiles, and the kernel function or the source. */
export function primitiveTableRows(priced: PricedReport): string[][] {
  return priced.primitives.map((p) => [
    p.label,
    formatCost(p.medianNs),
    `${costNumber(p.q1Ns, p.medianNs)}–${costNumber(p.q3Ns, p.medianNs)}`,
    p.basis,
  ]);
}

export const primitiveTableHeader = ['primitive', 'median', 'quartiles', 'mirrors / source'];

/** A text bar chart per operation, bars scaled to that operation's costliest strategy. */
export function pricedBarsText(priced: PricedReport, barWidth = 32): string[] {
  const nameWidth = Math.max(...priced.strategies.map((s) => s.name.length));
  return operationNames.flatMap((op) => {
    const max = Math.max(...priced.strategies.map((s) => s.operations[op].ns));
    return [
      op,
      ...priced.strategies.map((s) => {
        const ns = s.operations[op].ns;
        const bar = max > 0 ? '█'.repeat(Math.max(ns > 0 ? 1 : 0, Math.round((ns / max) * barWidth))) : '';
        return `  ${s.name.padEnd(nameWidth)} ${bar.padEnd(barWidth)} ${formatCost(ns)}`;
      }),
    ];
  });
}

const layout = {
  width: 760,
  labelEnd: 160,
  plotFrom: 176,
  plotTo: 560,
  valueX: 572,
  top: 36,
  header: 22,
  row: 18,
  axis: 30,
};

/** The estimates as horizontal bars on a log axis (they span three decades), grouped by operation, with their intervals. */
export function pricedChartSvg(priced: PricedReport): string {
  const values = priced.strategies.flatMap((s) =>
    operationNames.flatMap((op) => [s.operations[op].lowNs, s.operations[op].highNs]).filter((v) => v > 0),
  );
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 10))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 100))));
  const x = (v: number): number =>
    layout.plotFrom +
    ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) *
      (layout.plotTo - layout.plotFrom);
  const parts: string[] = [];
  let y = layout.top;
  for (const op of operationNames) {
    parts.push(text(10, y + 15, op, { size: 12, weight: 600, fill: '#222', className: 'group-label' }));
    y += layout.header;
    priced.strategies.forEach((s, index) => {
      const cell = s.operations[op];
      const mid = y + layout.row / 2;
      const colour = strategyColour(index);
      parts.push(
        `<g class="priced-row" data-strategy="${escapeHtml(s.name)}" data-operation="${op}"><title>${escapeHtml(`${s.name} ${op}: ~${formatPriced(cell)} estimated in the kernel`)}</title>` +
          text(layout.labelEnd, mid + 4, s.name, { anchor: 'end', size: 12, className: 'row-label' }) +
          (cell.ns > 0
            ? `<rect x="${layout.plotFrom}" y="${round(mid - 5)}" width="${round(x(cell.ns) - layout.plotFrom)}" height="10" fill="${colour}"/>` +
              `<path d="M${round(x(cell.lowNs))},${round(mid)} H${round(x(cell.highNs))}" stroke="#222" stroke-width="1.2"/>`
            : '') +
          text(layout.valueX, mid + 4, formatCost(cell.ns), { size: 11, className: 'value-label' }) +
          '</g>',
      );
      y += layout.row;
    });
  }
  const ticks: string[] = [];
  for (let v = lo; v <= hi; v *= 10) {
    ticks.push(
      `<line x1="${round(x(v))}" y1="${layout.top}" x2="${round(x(v))}" y2="${y}" stroke="#ddd"/>` +
        text(x(v), y + 16, v >= 1000 ? `${v / 1000} µs` : `${v} ns`, {
          anchor: 'middle',
          size: 11,
          className: 'tick-label',
        }),
    );
  }
  const height = y + layout.axis;
  return svgDocument(
    'priced-chart',
    'Estimated kernel time per operation and strategy (log scale)',
    { width: layout.width, height },
    text(10, 20, 'estimated kernel time per operation (log scale)', { size: 12, fill: '#555' }) +
      ticks.join('') +
      parts.join(''),
  );
}
