import { boot, type BootOptions, type CouplingStrategy } from '@coupling-lab/lab';

/** A strategy as boot() takes it: an instance, a class, or a registered name. */
export type StrategyRef = BootOptions['strategy'];

/** The strategy's name (a class is resolved by booting it once: nothing is loaded). */
export function strategyName(strategy: StrategyRef): string {
  if (typeof strategy === 'string') return strategy;
  if (typeof strategy === 'object') return (strategy as CouplingStrategy).name;
  return boot({ strategy }).strategy.name;
}
