/**
 * The kernel primitives at which another thread may run (SPEC 9). The explorer attaches a hook;
 * with none attached each point is a single `undefined` check on the hot path.
 */
export type PreemptionPoint =
  | 'module-get'
  | 'module-put'
  | 'module-state'
  | 'symbol-lookup'
  | 'ops-access'
  | 'file-get'
  | 'file-put'
  | 'lock'
  | 'unlock'
  | 'call';

/** Called at every preemption point with the primitive and what it acts on (a module, symbol, lock or file name). */
export type PreemptionHook = (point: PreemptionPoint, subject: string) => void;

/**
 * A scheduler that controls which thread runs. `blocked` is asked when the current thread would
 * sleep on a mutex another thread holds; the model never sleeps, so the scheduler must abandon
 * the schedule (throw), or the kernel reports a deadlock.
 */
export interface Scheduler {
  blocked(lockClass: string, holder: number): never;
}
