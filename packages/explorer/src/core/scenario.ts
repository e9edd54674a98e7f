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
  /**
   * A fingerprint of the state of `world` (the last one booted), equal for two worlds only if
   * everything a schedule goes on to do from them is the same; `exclude` names the explorer's
   * own objects the kernel points at while a schedule runs, `aliases` objects the explorer
   * names itself (state-cache.ts). Undefined when it cannot tell. A target without it is
   * explored without state caching.
   */
  fingerprint?(
    world: W,
    exclude: readonly object[],
    aliases: ReadonlyMap<object, string>,
  ): string | undefined;
}
