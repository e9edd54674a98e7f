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
  return (...args: never[]): unknown => {
    counters.crossModuleCalls += 1;
    if (indirect) counters.indirectCalls += 1;
    kernel.preempt('call', label);
    if (owner.state === 'FREED') {
      kernel.violation('use-after-free', `call to ${label} of freed module ${owner.name}`, {
        module: owner.name,
        object: label,
      });
    }
    return fn(...args);
  };
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
