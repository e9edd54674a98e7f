import { comparisonRows, type ComparisonCell } from './comparison-rows.js';
import { escapeHtml } from './escape.js';
import type { Report } from './types.js';

function cellHtml(cell: ComparisonCell): string {
  const tone = cell.tone === 'plain' ? '' : ` class="${cell.tone}"`;
  return `<td${tone}>${cell.lines.map(escapeHtml).join('<br>')}</td>`;
}

/** The side-by-side comparison as `<table id="comparison">`, a column per strategy. */
export function comparisonTableHtml(report: Report): string {
  const head = report.strategies.map((s) => `<th scope="col">${escapeHtml(s.name)}</th>`).join('');
  const body = comparisonRows(report)
    .map((row) =>
      row.kind === 'section'
        ? `<tr class="section"><th colspan="${report.strategies.length + 1}" scope="rowgroup">${escapeHtml(row.title)}</th></tr>`
        : `<tr><th scope="row">${escapeHtml(row.label)}</th>${row.cells.map(cellHtml).join('')}</tr>`,
    )
    .join('\n');
  return `<table id="comparison">\n<thead><tr><th scope="col"></th>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
