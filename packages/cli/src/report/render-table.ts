import Table from 'cli-table3';
import { ansi } from './ansi.js';
import { benchNote, comparisonRows, type ComparisonCell, type Tone } from './comparison-rows.js';
import type { Report } from './types.js';

export interface RenderTableOptions {
  /** Use ANSI colours; false gives plain text (for pipes, files and NO_COLOR). */
  colour: boolean;
  /** The terminal width to fit the table into; 160 when unknown. */
  width?: number;
}

/** Labels such as race scenario names have no spaces to wrap at, so the column fits the longest. */
function labelWidth(labels: string[]): number {
  return Math.min(36, Math.max(16, ...labels.map((l) => l.length + 2)));
}

/** Strategy columns share what is left of the width, but stay readable and never grow too wide. */
function columnWidth(strategies: number, width: number, labels: number): number {
  const borders = strategies + 2;
  const share = Math.floor((width - labels - borders) / Math.max(strategies, 1));
  return Math.min(40, Math.max(18, share));
}

function paint(colour: boolean, tone: Tone, text: string): string {
  if (!colour) return text;
  switch (tone) {
    case 'good':
      return ansi.green(text);
    case 'bad':
      return ansi.red(text);
    case 'muted':
      return ansi.dim(text);
    case 'plain':
      return text;
  }
}

function cellText(colour: boolean, cell: ComparisonCell): string {
  return cell.lines.map((line) => paint(colour, cell.tone, line)).join('\n');
}

/** The side-by-side comparison for the terminal: a column per strategy, then what differs. */
export function renderTable(report: Report, options: RenderTableOptions): string {
  const { colour } = options;
  const strong = (s: string) => (colour ? ansi.bold(s) : s);
  const n = report.strategies.length;
  const rows = comparisonRows(report);
  const labels = labelWidth(rows.flatMap((r) => (r.kind === 'row' ? [r.label] : [])));
  const table = new Table({
    head: ['', ...report.strategies.map((s) => (colour ? ansi.bold(ansi.cyan(s.name)) : s.name))],
    colWidths: [labels, ...Array<number>(n).fill(columnWidth(n, options.width ?? 160, labels))],
    wordWrap: true,
    wrapOnWordBoundary: true,
    // cli-table3 colours head and border by default; colour is decided here alone.
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    if (row.kind === 'section') table.push([{ colSpan: n + 1, content: strong(row.title) }]);
    else table.push([row.label, ...row.cells.map((c) => cellText(colour, c))]);
  }
  const lines = [table.toString()];
  const note = benchNote(report);
  if (note !== undefined) lines.push(note);
  if (report.differences.length > 0) {
    lines.push('', strong('What differs'), ...report.differences.map((d) => `  - ${d}`));
  }
  return lines.join('\n');
}
