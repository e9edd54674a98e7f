import type { Kernel } from './kernel.js';
import type { Mutex } from './mutex.js';
import { Task } from './task.js';
import { KernelViolation, type ViolationReport } from './violation.js';

/**
 * Taking and dropping sleeping locks, with lockdep's checks [kernel/locking/lockdep.c]: a task
 * taking a lock of a class it already holds (check_deadlock: "possible recursive locking"), and
 * a new dependency from the innermost held lock that closes a cycle of any length in the class
 * graph (check_prevs_add / check_noncircular: "possible circular locking dependency").
 */
export class Locking {
  /** The task of code that runs outside any syscall (tests, a kernel thread), per explorer thread. */
  private readonly contexts: Task[] = [];

  constructor(private readonly kernel: Kernel) {}

  /** `current`: the task of the running syscall, or the thread's kernel context outside one. */
  currentTask(): Task {
    return this.kernel.current ?? this.context(this.kernel.currentThread);
  }

  private context(thread: number): Task {
    let context = this.contexts[thread];
    if (context === undefined) {
      context = new Task(`kernel context of thread ${thread}`, thread);
      this.contexts[thread] = context;
    }
    return context;
  }

  acquire(mutex: Mutex): void {
    const kernel = this.kernel;
    kernel.preempt('lock', mutex.lockClass);
    kernel.counters.lockAcquisitions += 1;
    const task = this.currentTask();
    const holder = mutex.holder;
    if (holder === task) {
      // The task would wait for itself forever: raised even in 'record' mode.
      this.deadlocked({
        kind: 'recursive-lock',
        module: mutex.module,
        object: mutex.lockClass,
        message: `possible recursive locking detected: ${task.name} takes ${mutex.lockClass}, which it already holds`,
        trace: kernel.tracer?.tail(40) ?? [],
      });
    }
    if (holder !== null) this.blocked(mutex, holder, task);
    const held = task.held;
    // Not `held[held.length - 1]` on an empty list: an index of -1 leaves V8's fast element load
    // for a property lookup on every first lock of a syscall.
    if (held.length > 0) this.checkDependencies(task, mutex, held[held.length - 1] as Mutex);
    mutex.holder = task;
    held.push(mutex);
  }

  /** check_deadlock and check_prevs_add, for a task that already holds locks, `innermost` the last taken. */
  private checkDependencies(task: Task, mutex: Mutex, innermost: Mutex): void {
    const kernel = this.kernel;
    const held = task.held;
    for (const other of held) {
      if (other.lockClass === mutex.lockClass) {
        kernel.violation(
          'recursive-lock',
          `possible recursive locking detected: ${task.name} takes ${mutex.lockClass} while holding another ${other.lockClass}`,
          { module: mutex.module, object: mutex.lockClass },
        );
      }
    }
    if (innermost.lockClass !== mutex.lockClass) {
      const cycle = kernel.lockdep.record(innermost.lockClass, mutex.lockClass);
      if (cycle !== undefined) {
        const classes = [innermost.lockClass, ...cycle.map((dependency) => dependency.taken)];
        kernel.violation(
          'lock-order',
          `possible circular locking dependency detected: ${task.name} takes ${mutex.lockClass} while holding ` +
            `${innermost.lockClass}, and ${mutex.lockClass} already depends on it: ${classes.join(' -> ')}`,
          { module: mutex.module, object: classes.join(' -> '), chain: cycle },
        );
      }
    }
  }

  /** mutex_unlock: a preemption point once the lock is free, so another thread may take it right there. */
  release(mutex: Mutex): void {
    const holder = mutex.holder;
    if (holder !== null) {
      // The holder always lists the mutex (acquire sets `holder` and pushes it onto `held`
      // together), usually as the innermost lock: pop then, splice only an out-of-order unlock.
      // pop allocates nothing, splice a result array: this runs on every unlock of the hot path.
      const held = holder.held;
      if (held[held.length - 1] === mutex) held.pop();
      else held.splice(held.lastIndexOf(mutex), 1);
    }
    mutex.holder = null;
    this.kernel.preempt('unlock', mutex.lockClass);
  }

  /**
   * The task would sleep on a mutex another task holds. An explorer decides what that means for
   * its schedule; without one nothing else can ever run, so the wait would never end.
   */
  private blocked(mutex: Mutex, holder: Task, task: Task): never {
    const kernel = this.kernel;
    kernel.scheduler?.blocked(mutex, holder);
    const asleep = kernel.sleepingTaskOf(holder);
    this.deadlocked({
      kind: 'deadlock',
      module: mutex.module,
      object: mutex.lockClass,
      message:
        `${task.name} would wait forever for ${mutex.lockClass}, held by ${holder.name}` +
        (asleep === undefined ? '' : `, asleep in ${asleep.syscall} on ${asleep.sleep.wq.name}`),
      trace: kernel.tracer?.tail(40) ?? [],
    });
  }

  private deadlocked(report: ViolationReport): never {
    const error = new KernelViolation(report);
    this.kernel.violations.push(error);
    throw error;
  }
}
