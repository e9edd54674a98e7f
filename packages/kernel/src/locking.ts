import type { Kernel } from './kernel.js';
import type { Mutex } from './mutex.js';
import { KernelViolation } from './violation.js';

/**
 * Taking and dropping sleeping locks: the mutexes each thread holds, innermost last (lockdep's
 * held_locks), each new one checked for order against all of them in the kernel's `LockDep`.
 */
export class Locking {
  private readonly held = new Map<number, Mutex[]>();

  constructor(private readonly kernel: Kernel) {}

  acquire(mutex: Mutex): void {
    const kernel = this.kernel;
    kernel.preempt('lock', mutex.lockClass);
    kernel.counters.lockAcquisitions += 1;
    const thread = kernel.currentThread;
    if (mutex.holder === thread) {
      // A sleeping lock taken twice by one thread deadlocks; this is raised even in 'record' mode.
      const error = new KernelViolation({
        kind: 'recursive-lock',
        module: mutex.module,
        object: mutex.lockClass,
        message: `thread ${thread} takes ${mutex.lockClass}, which it already holds`,
        trace: kernel.tracer?.tail(40) ?? [],
      });
      kernel.violations.push(error);
      throw error;
    }
    if (mutex.holder !== null) {
      if (kernel.scheduler !== undefined) kernel.scheduler.blocked(mutex.lockClass, mutex.holder);
      throw new Error(
        `deadlock: thread ${thread} waits for ${mutex.lockClass} held by thread ${mutex.holder}`,
      );
    }
    let held = this.held.get(thread);
    if (held === undefined) {
      held = [];
      this.held.set(thread, held);
    }
    for (const outer of held) {
      if (outer.lockClass !== mutex.lockClass && kernel.lockdep.record(outer.lockClass, mutex.lockClass)) {
        kernel.violation(
          'lock-order',
          `${mutex.lockClass} taken under ${outer.lockClass}, and elsewhere the other way round`,
          {
            module: mutex.module,
            object: `${outer.lockClass} <-> ${mutex.lockClass}`,
          },
        );
      }
    }
    mutex.holder = thread;
    held.push(mutex);
  }

  /** mutex_unlock: a preemption point once the lock is free, so another thread may take it right there. */
  release(mutex: Mutex): void {
    const held = this.held.get(mutex.holder ?? this.kernel.currentThread);
    const index = held?.lastIndexOf(mutex) ?? -1;
    if (held !== undefined && index >= 0) held.splice(index, 1);
    mutex.holder = null;
    this.kernel.preempt('unlock', mutex.lockClass);
  }
}
