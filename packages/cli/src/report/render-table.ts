import Table from 'cli-table3';
import { ansi } from './ansi.js';
import {
  benchNote,
  comparisonRows,
  type ComparisonCell,
  type ComparisonRow,
  type Tone,
} from './comparison-rows.js';
import { indentWrap, wrapText } from './text-wrap.js';
import type { Report } from './types.js';
import { kernelLine } from './kernel-line.js';

export interface RenderTableOptions {
  /** Use ANSI colours; false gives plain text (for pipes, files and NO_COLOR). */
  colour: boolean;
  /** The terminal width to fit into (the table switches layout below it); 160 when unknown. */
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

const borders = (strategies: number): number => strategies + 2;

/** The side-by-side table, a column per strategy: when it fits the width. */
function sideBySide(
  report: Report,
  rows: ComparisonRow[],
  colour: boolean,
  width: number,
): string | undefined {
  const n = report.strategies.length;
  const labels = labelWidth(rows.flatMap((r) => (r.kind === 'row' ? [r.label] : [])));
  const column = columnWidth(n, width, labels);
  if (labels + n * column + borders(n) > width) return undefined;
  const strong = (s: string) => (colour ? ansi.bold(s) : s);
  const table = new Table({
    head: ['', ...report.strategies.map((s) => (colour ? ansi.bold(ansi.cyan(s.name)) : s.name))],
    colWidths: [labels, ...Array<number>(n).fill(column)],
    wordWrap: true,
    wrapOnWordBoundary: true,
    // cli-table3 colours head and border by default; colour is decided here alone.
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    if (row.kind === 'section') table.push([{ colSpan: n + 1, content: strong(row.title) }]);
    else table.push([row.label, ...row.cells.map((c) => cellText(colour, c))]);
  }
  return table.toString();
}

/**
 * The narrow layout: a block per row, its label as a heading and one line per strategy under it,
 * so the strategies' answers to one question stay together and nothing is cut.
 */
function stacked(report: Report, rows: ComparisonRow[], colour: boolean, width: number): string {
  const strong = (s: string) => (colour ? ansi.bold(s) : s);
  const names = report.strategies.map((s) => s.name);
  const nameWidth = Math.max(...names.map((name) => name.length)) + 2;
  const beside = nameWidth + 2 <= Math.floor(width / 2);
  const lines: string[] = [];
  for (const row of rows) {
    if (row.kind === 'section') {
      lines.push(
        '',
        ...wrapText(row.title, width).map(strong),
        strong('─'.repeat(Math.min(width, row.title.length))),
      );
      continue;
    }
    lines.push(...wrapText(row.label, width).map(strong));
    row.cells.forEach((cell, index) => {
      const name = names[index] ?? '';
      const text = cell.lines.join('; ');
      const shown = (line: string): string => paint(colour, cell.tone, line);
      const indent = beside ? 2 + nameWidth : 4;
      const wrapped = wrapText(text, width - indent).map(shown);
      if (beside)
        lines.push(
          ...wrapped.map(
            (line, i) => `${i === 0 ? `  ${name.padEnd(nameWidth)}` : ' '.repeat(indent)}${line}`,
          ),
        );
      else lines.push(`  ${name}`, ...wrapped.map((line) => `    ${line}`));
    });
  }
  return lines.join('\n').replace(/^\n/, '');
}

/**
 * The side-by-side comparison for the terminal, then what differs: a column per strategy when the
 * table fits the width, otherwise the same rows stacked (each question, then each strategy's answer).
 */
export function renderTable(report: Report, options: RenderTableOptions): string {
  const { colour } = options;
  const strong = (s: string) => (colour ? ansi.bold(s) : s);
  const width = options.width ?? 160;
  const rows = comparisonRows(report);
  const lines = [
    ...wrapText(kernelLine(report), width).map((line, index) => (index === 0 ? strong(line) : line)),
    '',
    sideBySide(report, rows, colour, width) ?? stacked(report, rows, colour, width),
  ];
  const note = benchNote(report);
  if (note !== undefined) lines.push(...wrapText(note, width));
  if (report.differences.length > 0) {
    lines.push(
      '',
      strong('What differs'),
      ...report.differences.flatMap((d) => indentWrap(d, width, '    ', '  - ')),
    );
  }
  return lines.join('\n');
}
