import {
  type BootOptions,
  type CouplingStrategy,
  defaultDevices,
  type LinuxName,
  linuxVersions,
  resolveStrategy as resolveInLab,
} from '@coupling-lab/lab';

/** A strategy as boot() takes it: an instance, a class, or a registered name ('get-ops', 'register-ops/no-owner'). */
export type StrategyRef = BootOptions['strategy'];

/** The strategy instance boot() would use; an unknown name throws lab's UnknownStrategyError, listing the registered ones. */
export function resolveStrategy(ref: StrategyRef): CouplingStrategy {
  return resolveInLab(ref);
}

/** Does the strategy's system on `linux` have module `name` (register-ops' kvm_vfio glue, say)? */
export function hasModule(strategy: CouplingStrategy, name: string, linux: LinuxName = 'v5.17'): boolean {
  return strategy
    .modules({ devices: defaultDevices, linux: linuxVersions[linux] })
    .some((image) => image.name === name);
}
