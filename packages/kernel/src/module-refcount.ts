import type { Kernel } from './kernel.js';
import type { Module } from './module.js';

/** try_module_get: fails on a module that is going away; touching a freed one is a use-after-free. */
export function tryModuleGet(kernel: Kernel, module: Module | null): boolean {
  if (module === null) return true;
  kernel.preempt('module-get', module.name);
  return pinModule(kernel, module);
}

/**
 * try_module_get with no preemption point of its own, for callers that found the module under
 * a lock or with preemption disabled (__symbol_get, chrdev_open's cdev_lock): Linux frees a
 * module only after synchronize_rcu, so the lookup and the pin are one step there.
 */
export function pinModule(kernel: Kernel, module: Module): boolean {
  if (module.state === 'FREED') {
    kernel.violation('use-after-free', `try_module_get on freed module ${module.name}`, {
      module: module.name,
    });
    return false;
  }
  if (module.state === 'GOING' || module.state === 'UNFORMED') return false;
  kernel.counters.moduleGets += 1;
  module.refcount += 1;
  return true;
}

/** module_put. */
export function modulePut(kernel: Kernel, module: Module | null): void {
  if (module === null) return;
  kernel.preempt('module-put', module.name);
  if (module.state === 'FREED') {
    kernel.violation('use-after-free', `module_put on freed module ${module.name}`, { module: module.name });
    return;
  }
  kernel.counters.modulePuts += 1;
  if (module.refcount === 0) {
    kernel.violation('refcount-underflow', `module ${module.name}: module_put with no reference held`, {
      module: module.name,
    });
    return;
  }
  module.refcount -= 1;
}
