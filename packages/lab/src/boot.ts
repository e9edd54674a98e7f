import 'reflect-metadata';
import { Kernel, type LockDep } from '@coupling-lab/kernel';
import { defaultDevices, type PciDeviceConfig } from '@coupling-lab/vfio';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { BootOptionsError, checkBootOptions } from './boot-options.js';
import { DEFAULT_LINUX, type LinuxName, linuxVersions } from './linux.js';
import { registeredStrategies, registeredStrategyNames, UnknownStrategyError } from './registry.js';
import { type CouplingStrategy, type Machine, runsOn } from './strategy.js';
import { strategyContractProblem } from './strategy-contract.js';
import { System } from './system.js';

/** The injection token of the booted system's Machine (its PCI devices). */
export const MACHINE = Symbol('Machine');

type StrategyClass = new (...args: never[]) => CouplingStrategy;

export interface BootOptions {
  /** A strategy instance, class, or registered name ('get-ops'). */
  readonly strategy: CouplingStrategy | StrategyClass | string;
  readonly devices?: readonly PciDeviceConfig[];
  /** CONFIG_MODULE_FORCE_UNLOAD. */
  readonly forceUnload?: boolean;
  /** 'throw' (default): a violation is raised from the call that caused it; 'record': only recorded. */
  readonly onViolation?: 'throw' | 'record';
  /** A lock-order graph shared across boots (the explorer's). */
  readonly lockdep?: LockDep;
  /** The container to compose in (a child of it is made per system); defaults to the root container. */
  readonly container?: DependencyContainer;
  /** The kernel: 'v5.17' (default) or 'v6.6' (lab's linux.ts says what each carries). */
  readonly linux?: LinuxName;
}

/** The strategy does not run on the kernel asked for. */
export class UnsupportedKernelError extends Error {
  constructor(
    readonly strategy: string,
    readonly linux: LinuxName,
    readonly reason: string,
  ) {
    super(`strategy "${strategy}" does not run on Linux ${linux}: ${reason}`);
    this.name = 'UnsupportedKernelError';
  }
}

/**
 * Boots a fresh system: a kernel and the strategy's module images in their own child container,
 * so two systems never share state. Nothing is loaded. Options that are missing or of the wrong
 * type, and a strategy that does not keep the contract, are a BootOptionsError naming the option.
 */
export function boot(options: BootOptions): System {
  checkBootOptions(options);
  const linuxName = options.linux ?? DEFAULT_LINUX;
  const linux = linuxVersions[linuxName];
  const scope = (options.container ?? rootContainer).createChildContainer();
  const kernel = new Kernel({
    ...(options.forceUnload === undefined ? {} : { forceUnload: options.forceUnload }),
    ...(options.onViolation === undefined ? {} : { onViolation: options.onViolation }),
    ...(options.lockdep === undefined ? {} : { lockdep: options.lockdep }),
    closeSync: linux.closeSync,
  });
  const machine: Machine = { devices: options.devices ?? defaultDevices, linux };
  scope.register(Kernel, { useValue: kernel });
  scope.register(MACHINE, { useValue: machine });

  const strategy = resolveStrategy(options.strategy, scope);
  const problem = strategyContractProblem(strategy);
  if (problem !== undefined) {
    const name = (strategy as { name?: unknown }).name;
    const which = typeof name === 'string' && name !== '' ? `strategy "${name}"` : 'strategy';
    throw new BootOptionsError('strategy', `${which}: ${problem}`);
  }
  const support = runsOn(strategy, linuxName);
  if (support !== true) throw new UnsupportedKernelError(strategy.name, linuxName, support);
  const images = strategy.modules(machine);
  for (const image of images) kernel.registerImage(image);
  return new System(
    kernel,
    strategy,
    scope,
    images.map((image) => image.name),
    linux,
  );
}

/**
 * The strategy instance a boot would use, from an instance, a class or a registered name (an
 * unknown name throws UnknownStrategyError, listing the registered ones).
 */
export function resolveStrategy(
  requested: BootOptions['strategy'],
  scope: DependencyContainer = rootContainer,
): CouplingStrategy {
  if (typeof requested === 'string') {
    const found = registeredStrategies(scope).find((strategy) => strategy.name === requested);
    if (found === undefined) throw new UnknownStrategyError(requested, registeredStrategyNames(scope));
    return found;
  }
  if (typeof requested === 'function')
    return scope.resolve(requested as unknown as new () => CouplingStrategy);
  return requested;
}
