import { escapeHtml } from './escape.js';

/** The geometry every horizontal bar chart in the report shares. */
export const chart = {
  width: 760,
  /** Where bars start; row labels end just left of it. */
  plotX: 170,
  plotWidth: 400,
  rowHeight: 18,
  barHeight: 12,
  headerHeight: 22,
  groupGap: 8,
  axisHeight: 24,
};

export interface ChartRow<T> {
  label: string;
  datum: T;
}

export interface ChartGroup<T> {
  title: string;
  rows: ChartRow<T>[];
}

export interface GroupLayout<T> {
  headers: { title: string; y: number }[];
  /** `y` is the top of the row's bar. */
  rows: (ChartRow<T> & { y: number })[];
  bottom: number;
}

/** Stacks groups top to bottom: a heading per group, then a row per bar. */
export function layoutGroups<T>(groups: ChartGroup<T>[], top: number): GroupLayout<T> {
  const layout: GroupLayout<T> = { headers: [], rows: [], bottom: top };
  let y = top;
  for (const group of groups) {
    layout.headers.push({ title: group.title, y: y + 14 });
    y += chart.headerHeight;
    for (const row of group.rows) {
      layout.rows.push({ ...row, y: y + (chart.rowHeight - chart.barHeight) / 2 });
      y += chart.rowHeight;
    }
    y += chart.groupGap;
  }
  layout.bottom = y;
  return layout;
}

export interface Scale {
  max: number;
  step: number;
  x: (value: number) => number;
}

/** A scale from 0 to a round number at or above `value`, with about five round ticks. */
export function niceScale(value: number, integer: boolean): Scale {
  const raw = Math.max(value, integer ? 1 : 0.1) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const multipliers = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  const candidates = multipliers.map((m) => m * magnitude).filter((s) => !integer || s >= 1);
  const step = candidates.find((s) => s >= raw) ?? raw;
  const max = Math.ceil(value / step) * step || step;
  return { max, step, x: (v) => chart.plotX + (Math.min(v, max) / max) * chart.plotWidth };
}

/** Vertical gridlines with their tick labels below the plot. */
export function axis(scale: Scale, top: number, bottom: number): string {
  const ticks: string[] = [];
  for (let i = 0; i * scale.step <= scale.max + 1e-9; i++) {
    const value = i * scale.step;
    const x = scale.x(value);
    const label = Number(value.toFixed(2)).toString();
    ticks.push(
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e3e6ec"/>` +
        `<text x="${x}" y="${bottom + 14}" text-anchor="middle" font-size="11" fill="#555">${label}</text>`,
    );
  }
  return `<g class="axis">${ticks.join('')}</g>`;
}

export function groupHeaders(layout: GroupLayout<unknown>): string {
  return layout.headers
    .map(
      (h) =>
        `<text x="10" y="${h.y}" font-size="12" font-weight="600" fill="#222" font-family="ui-monospace, Menlo, Consolas, monospace">${escapeHtml(h.title)}</text>`,
    )
    .join('');
}

export function rowLabel(text: string, y: number): string {
  return `<text x="${chart.plotX - 8}" y="${y + chart.barHeight - 2}" text-anchor="end" font-size="12" fill="#333">${escapeHtml(text)}</text>`;
}

export function svgDocument(id: string, title: string, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${chart.width} ${height}" width="${chart.width}" height="${height}" role="img" aria-labelledby="${id}-title" font-family="system-ui, sans-serif">` +
    `<title id="${id}-title">${escapeHtml(title)}</title>${body}</svg>`
  );
}
