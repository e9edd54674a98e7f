import { boot, type BootOptions, type CouplingStrategy, defaultDevices } from '@coupling-lab/lab';

/** A strategy as boot() takes it: an instance, a class, or a registered name ('get-ops', 'register-ops/no-owner'). */
export type StrategyRef = BootOptions['strategy'];

/** The strategy instance boot() would use; an unknown name throws lab's UnknownStrategyError, listing the registered ones. */
export function resolveStrategy(ref: StrategyRef): CouplingStrategy {
  return typeof ref === 'object' ? ref : boot({ strategy: ref }).strategy;
}

/** Does the strategy's system have module `name` (register-ops' kvm_vfio glue, say)? */
export function hasModule(strategy: CouplingStrategy, name: string): boolean {
  return strategy.modules({ devices: defaultDevices }).some((image) => image.name === name);
}
