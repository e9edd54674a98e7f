import { indentWrap } from '../report/index.js';
import { installedStrategies } from '../strategies.js';

/**
 * `coupling-lab list [--all]`: the installed strategies, and with --all the race-catalogue
 * variants. A name and its summary share a line when they fit the width; otherwise the summary
 * goes on the lines below, wrapped.
 */
export function listCommand(options: { all?: boolean; width?: number }): string {
  const strategies = installedStrategies({ variants: options.all === true });
  const nameWidth = Math.max(...strategies.map((strategy) => strategy.name.length));
  const entries = strategies.map((strategy) => ({
    name: strategy.name,
    note:
      strategy.variant === undefined
        ? strategy.summary
        : `variant of ${strategy.variant.of}: ${strategy.variant.difference}`,
  }));
  const width = options.width;
  const fits = width === undefined || entries.every((entry) => nameWidth + 2 + entry.note.length <= width);
  if (fits) return entries.map((entry) => `${entry.name.padEnd(nameWidth)}  ${entry.note}`).join('\n');
  return entries.map((entry) => [entry.name, ...indentWrap(entry.note, width, '    ')].join('\n')).join('\n');
}
