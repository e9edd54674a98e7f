import type { Kernel } from './kernel.js';
import type { Module } from './module.js';

export type KernelFunction = (...args: never[]) => unknown;

/**
 * A function of `owner` as other modules see it: each call counts as a cross-module call (and
 * indirect when made through an ops table), is a preemption point, and is a use-after-free
 * once the owner is freed.
 */
export function guardCall(
  kernel: Kernel,
  owner: Module,
  label: string,
  fn: KernelFunction,
  indirect: boolean,
): KernelFunction {
  const counters = kernel.counters;
  const enter = (): void => {
    counters.crossModuleCalls += 1;
    if (indirect) counters.indirectCalls += 1;
    kernel.preempt('call', label);
    if (owner.state === 'FREED') {
      kernel.violation('use-after-free', `call to ${label} of freed module ${owner.name}`, {
        module: owner.name,
        object: label,
      });
    }
  };
  // No rest parameter: it would allocate an array on every call of the hot path (every call
  // from one module into another goes through here). Reading arguments.length in a strict
  // function allocates nothing, and the callee gets exactly the arguments it was given.
  const call = fn as (...args: unknown[]) => unknown;
  return function guarded(a?: unknown, b?: unknown, c?: unknown): unknown {
    enter();
    switch (arguments.length) {
      case 0:
        return call();
      case 1:
        return call(a);
      case 2:
        return call(a, b);
      case 3:
        return call(a, b, c);
      default:
        // eslint-disable-next-line prefer-rest-params -- the rare long call, copied only here
        return call(...Array.from(arguments));
    }
  } as KernelFunction;
}

/**
 * A struct of function pointers owned by `owner` (an ops table handed to another module).
 * Each call through it counts as an indirect cross-module call and checks the owner is not freed.
 */
export function opsTable<T extends object>(kernel: Kernel, owner: Module, label: string, table: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table)) {
    wrapped[key] =
      typeof value === 'function'
        ? guardCall(kernel, owner, `${label}.${key}`, value as KernelFunction, true)
        : value;
  }
  return wrapped as T;
}
