import { kernelsOf, linuxNames } from '@coupling-lab/lab';
import { indentWrap } from '../report/index.js';
import { installedStrategies } from '../strategies.js';

/**
 * `coupling-lab list [--all]`: the installed strategies with the kernels each runs on, and with
 * --all the race-catalogue variants. A name, its kernels and its summary share a line when they
 * fit the width; otherwise the summary goes on the lines below, wrapped.
 */
export function listCommand(options: { all?: boolean; width?: number }): string {
  const strategies = installedStrategies({ variants: options.all === true });
  const entries = strategies.map((strategy) => ({
    name: strategy.name,
    kernels: kernelsOf(strategy, linuxNames).join(' ') || 'no modelled kernel',
    note:
      strategy.variant === undefined
        ? strategy.summary
        : `variant of ${strategy.variant.of}: ${strategy.variant.difference}`,
  }));
  const nameWidth = Math.max(...entries.map((entry) => entry.name.length));
  const kernelWidth = Math.max(...entries.map((entry) => entry.kernels.length));
  const head = (entry: (typeof entries)[number]): string =>
    `${entry.name.padEnd(nameWidth)}  ${entry.kernels.padEnd(kernelWidth)}`;
  const width = options.width;
  const fits =
    width === undefined || entries.every((entry) => nameWidth + kernelWidth + 4 + entry.note.length <= width);
  if (fits) return entries.map((entry) => `${head(entry)}  ${entry.note}`).join('\n');
  return entries
    .map((entry) =>
      [`${entry.name}  (${entry.kernels})`, ...indentWrap(entry.note, width, '    ')].join('\n'),
    )
    .join('\n');
}
