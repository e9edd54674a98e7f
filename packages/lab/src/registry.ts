import {
  container as rootContainer,
  type DependencyContainer,
  type InjectionToken,
  injectable,
} from 'tsyringe';
import type { CouplingStrategy } from './strategy.js';

/** The one injection token every strategy is registered under. */
export const COUPLING_STRATEGY: InjectionToken<CouplingStrategy> = Symbol('CouplingStrategy');

export type StrategyClass = new (...args: never[]) => CouplingStrategy;

/** The classes registered in each container, in registration order (tsyringe does not list them). */
const registrations = new WeakMap<DependencyContainer, StrategyClass[]>();

/** Registers a strategy class under COUPLING_STRATEGY (importing its package is enough to make it bootable by name). */
export function registerStrategy(strategy: StrategyClass, target: DependencyContainer = rootContainer): void {
  target.register(COUPLING_STRATEGY, { useClass: strategy as unknown as new () => CouplingStrategy });
  registrations.set(target, [...(registrations.get(target) ?? []), strategy]);
}

/**
 * The strategy classes registered in `target` itself, in the order they were registered, without
 * constructing any: what a plugin loader compares before and after an import to see what it added.
 */
export function registeredStrategyClasses(
  target: DependencyContainer = rootContainer,
): readonly StrategyClass[] {
  return registrations.get(target) ?? [];
}

/** Class decorator: makes the class injectable and registers it as a strategy in the root container. */
export function couplingStrategy(): ClassDecorator {
  return (target) => {
    const strategy = target as unknown as StrategyClass;
    injectable()(strategy as unknown as new () => CouplingStrategy);
    registerStrategy(strategy);
  };
}

/** One registered class constructed as `registeredStrategies` would (its dependencies from `scope`); what its constructor throws propagates. */
export function constructStrategy(
  strategy: StrategyClass,
  scope: DependencyContainer = rootContainer,
): unknown {
  return scope.resolve(strategy as unknown as new () => CouplingStrategy);
}

/**
 * Every registered strategy, resolved from `scope`. tsyringe's resolveAll stops at the first
 * container that has registrations, so a child's own strategies are listed and then the root's.
 */
export function registeredStrategies(scope: DependencyContainer = rootContainer): CouplingStrategy[] {
  const found: CouplingStrategy[] = [];
  for (const source of scope === rootContainer ? [rootContainer] : [scope, rootContainer]) {
    if (!source.isRegistered(COUPLING_STRATEGY, true)) continue;
    for (const strategy of source.resolveAll(COUPLING_STRATEGY)) {
      if (!found.some((seen) => seen.name === strategy.name)) found.push(strategy);
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The registered names, real strategies first, variants after. */
export function registeredStrategyNames(scope?: DependencyContainer): string[] {
  const all = registeredStrategies(scope);
  return [...all.filter((s) => s.variant === undefined), ...all.filter((s) => s.variant !== undefined)].map(
    (s) => s.name,
  );
}

export class UnknownStrategyError extends Error {
  constructor(
    readonly requested: string,
    readonly registered: readonly string[],
  ) {
    super(
      registered.length === 0
        ? `unknown strategy "${requested}": no strategy is registered (import a strategy package, e.g. @coupling-lab/strategy-get-ops)`
        : `unknown strategy "${requested}"; registered: ${registered.join(', ')}`,
    );
    this.name = 'UnknownStrategyError';
  }
}
