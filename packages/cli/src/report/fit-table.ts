import Table from 'cli-table3';
import { indentWrap, visibleLength } from './text-wrap.js';

export interface FitTableOptions {
  /** The width to fit; undefined draws the table at its natural width. */
  readonly width?: number | undefined;
  /** How many leading columns name a row (they become its heading in the stacked layout); default 1. */
  readonly keyColumns?: number;
}

/**
 * A table for the terminal that fits `width` by changing layout rather than cutting data: the
 * bordered table when it fits, otherwise one block per row, its key columns as a heading and
 * every other column as a `name: value` line, wrapped.
 */
export function fitTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  options: FitTableOptions = {},
): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push([...row]);
  const drawn = table.toString();
  const width = options.width;
  if (width === undefined || drawn.split('\n').every((line) => visibleLength(line) <= width)) return drawn;
  const keys = options.keyColumns ?? 1;
  const labels = head.slice(keys);
  const labelWidth = Math.max(...labels.map((label) => label.length));
  // Long names leave too little room beside them: then the value goes on the lines below its name.
  const beside = labelWidth + 4 <= width - 20;
  return rows
    .map((row) => {
      const heading = row
        .slice(0, keys)
        .filter((cell) => cell !== '')
        .join(' · ');
      const lines = indentWrap(heading, width, '  ', '');
      row.slice(keys).forEach((cell, index) => {
        if (cell === '') return;
        const value = cell.replace(/\n/g, ' ');
        if (!beside) {
          lines.push(
            ...indentWrap(`${labels[index] ?? ''}:`, width, '  '),
            ...indentWrap(value, width, '    '),
          );
          return;
        }
        const label = `${labels[index] ?? ''}:`.padEnd(labelWidth + 2);
        lines.push(...indentWrap(value, width, ' '.repeat(label.length + 2), `  ${label}`));
      });
      return lines.join('\n');
    })
    .join('\n\n');
}
