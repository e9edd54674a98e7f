import type { Kernel, LockDep } from '@coupling-lab/kernel';

/** One whole step of a thread: a syscall or kernel operation, run to completion unless preempted. */
export interface Step<W> {
  readonly label: string;
  run(world: W): unknown;
}

/**
 * What the explorer races: a few threads of steps against a freshly booted world. Threads are
 * numbered from 1 in `threads` order (that number is `kernel.currentThread` while they run).
 */
export interface ScenarioCore<W> {
  readonly name: string;
  readonly description: string;
  /** What a clean verdict means, for humans. */
  readonly invariant: string;
  readonly threads: readonly (readonly Step<W>[])[];
  /** Checked after each top-level step; raises through `kernel.violation`. */
  check?(world: W, kernel: Kernel): void;
  /** Runs after the last step; must bring every refcount back to zero (exit processes, rmmod, checkLeaks). */
  teardown(world: W, kernel: Kernel): void;
}

/**
 * Gives each schedule the world a fresh boot would build, so no state leaks between schedules (the
 * lab's target builds it once and puts it back in place for each schedule). The kernel must be
 * built with the given `lockdep`: one graph spans every schedule of an exploration.
 */
export interface ExplorationTarget<W> {
  boot(lockdep: LockDep): { kernel: Kernel; world: W };
}
