import { installedStrategies } from '../strategies.js';

/** `coupling-lab list [--all]`: the installed strategies, and with --all the race-catalogue variants. */
export function listCommand(options: { all?: boolean }): string {
  const strategies = installedStrategies({ variants: options.all === true });
  const width = Math.max(...strategies.map((strategy) => strategy.name.length));
  return strategies
    .map((strategy) => {
      const note =
        strategy.variant === undefined
          ? strategy.summary
          : `variant of ${strategy.variant.of}: ${strategy.variant.difference}`;
      return `${strategy.name.padEnd(width)}  ${note}`;
    })
    .join('\n');
}
