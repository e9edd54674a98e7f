import { boot, DEFAULT_LINUX, type LinuxName } from '@coupling-lab/lab';
import { noModelOperation } from './no-model.js';
import { operation, operationNames } from './operations.js';
import type { Subject, TimedOperation } from './timing/index.js';

/** The floor's subject name: the same work as plain function calls. */
export const NO_MODEL = 'no model';
/** `direct` with a no-op preemption hook attached: its distance to `direct` is the hooks' cost. */
export const DIRECT_WITH_HOOK = 'direct+hook';

export interface SubjectsArgs {
  /** Strategy names to time; 'direct' must be among them (the baseline). */
  readonly strategies: readonly string[];
  /** Modules to require first, so the strategies are registered (strategy packages, plugins). */
  readonly register: readonly string[];
  /** The kernel every subject boots (default v5.17); the no-model floor has none. */
  readonly linux?: LinuxName;
}

/**
 * Builds the timed subjects in whichever process measures them (the harness forks fresh
 * processes, and subjects are closures): one per strategy, the no-model floor, and direct with a
 * no-op hook attached.
 */
export function subjects(args: SubjectsArgs): Subject[] {
  // Strategy modules named at run time register themselves when loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const specifier of args.register) require(specifier);
  const linux = args.linux ?? DEFAULT_LINUX;
  const perOperation = (
    make: (name: (typeof operationNames)[number]) => TimedOperation,
  ): Subject['operations'] => Object.fromEntries(operationNames.map((name) => [name, () => make(name)]));
  const strategySubjects: Subject[] = args.strategies.map((strategy) => ({
    name: strategy,
    operations: perOperation((name) => operation(boot({ strategy, linux }), name)),
  }));
  const hooked: Subject = {
    name: DIRECT_WITH_HOOK,
    operations: perOperation((name) => {
      const sys = boot({ strategy: 'direct', linux });
      sys.kernel.hook = () => undefined;
      return operation(sys, name);
    }),
  };
  return [...strategySubjects, hooked, { name: NO_MODEL, operations: perOperation(noModelOperation) }];
}
