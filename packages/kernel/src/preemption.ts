import type { Mutex } from './mutex.js';
import type { Task } from './task.js';

/**
 * The kernel primitives at which another thread may run (SPEC 9). The explorer attaches a hook;
 * with none attached each point is a single `undefined` check on the hot path. `task-work` is
 * the return to user mode before a deferred release runs (fput's ____fput).
 */
export type PreemptionPoint =
  | 'module-get'
  | 'module-put'
  | 'module-state'
  | 'symbol-lookup'
  | 'ops-access'
  | 'file-get'
  | 'file-put'
  | 'task-work'
  | 'lock'
  | 'unlock'
  | 'call';

/** Called at every preemption point with the primitive and what it acts on (a module, symbol, lock or file name). */
export type PreemptionHook = (point: PreemptionPoint, subject: string) => void;

/**
 * A scheduler that controls which thread runs (the explorer). While one is attached, woken
 * tasks wait for it to run them. `blocked` is asked when the current task would sleep on a mutex
 * that `holder` holds: the model cannot suspend a thread in the middle of a step at a mutex, so
 * the scheduler must abandon the schedule or end it as a deadlock, by throwing.
 */
export interface Scheduler {
  blocked(mutex: Mutex, holder: Task): never;
}
