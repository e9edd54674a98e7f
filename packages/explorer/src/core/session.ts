import type { KernelViolation, LockDependency } from '@coupling-lab/kernel';
import type { DecisionSource } from './decisions.js';
import type { SleepSource } from './reduction.js';
import type { ExplorationTarget, ScenarioCore } from './scenario.js';
import { StateCache, type CachePath } from './state-cache.js';
import { ScheduleRunner, type Outcome } from './scheduler.js';
import { joinSegments } from './schedule-string.js';
import { TrackedLockDep } from './tracked-lockdep.js';

/** A dependency of lockdep's cycle and the schedule (a replayable string) that first took it. */
export interface ChainLink extends LockDependency {
  readonly schedule: string;
}

/**
 * The schedules of one exploration (or one replay): each starts from a freshly booted world (or
 * one put back as it was, lab-target.ts), but all share one
 * lockdep graph, as lockdep's rule wants orders from different runs to combine.
 */
export class Session<W> {
  readonly runner: ScheduleRunner<W>;
  /** Schedules executed, re-executions included. */
  executions = 0;

  readonly lockdep = new TrackedLockDep();
  /** Schedule strings of the schedules that first took some lock order, by ordinal: the possible witnesses. */
  readonly witnesses = new Map<number, string>();

  constructor(
    private readonly scenario: ScenarioCore<W>,
    private readonly target: ExplorationTarget<W>,
  ) {
    this.runner = new ScheduleRunner(scenario);
  }

  /**
   * A state cache for one depth-first pass over `path`, if the target can fingerprint its worlds
   * (`explored`: states earlier passes explored in full, shared with them).
   */
  stateCache(path: CachePath, explored?: Map<string, number>): StateCache<W> | null {
    const target = this.target;
    if (target.fingerprint === undefined) return null;
    return new StateCache(
      (world, exclude, aliases) => target.fingerprint?.(world, exclude, aliases),
      path,
      explored,
    );
  }

  run(
    source: DecisionSource,
    maxDepth: number,
    budget: number,
    sleep: SleepSource | null = null,
    cache: StateCache<W> | null = null,
  ): Outcome {
    const ordinal = ++this.executions;
    const lockdep = this.lockdep;
    lockdep.begin(ordinal);
    const { kernel, world } = this.target.boot(lockdep);
    if (kernel.lockdep !== lockdep) {
      throw new Error(
        `scenario ${this.scenario.name}: the target's boot must build its Kernel with the lockdep it is given`,
      );
    }
    const outcome = this.runner.run(kernel, world, source, maxDepth, budget, sleep, cache);
    if (lockdep.newOrders) this.witnesses.set(ordinal, this.runner.scheduleText());
    return outcome;
  }

  /**
   * The last schedule as a replayable string. A lock-order cycle closed against dependencies
   * only earlier schedules took is led by those schedules, oldest first, so that replay rebuilds
   * the same lockdep graph.
   */
  scheduleOf(violation: KernelViolation): string {
    const own = this.runner.scheduleText();
    const witnesses = this.witnessOrdinals(violation).map((ordinal) => this.witnesses.get(ordinal) ?? '');
    return joinSegments([...witnesses.filter((text) => text !== ''), own]);
  }

  /** lockdep's cycle with the schedule that first took each dependency. */
  chainOf(violation: KernelViolation): ChainLink[] | undefined {
    const own = this.runner.scheduleText();
    return violation.chain?.map((dependency) => {
      const ordinal = this.lockdep.takenIn(dependency);
      const schedule = ordinal === this.executions ? own : (this.witnesses.get(ordinal) ?? own);
      return { held: dependency.held, taken: dependency.taken, schedule };
    });
  }

  private witnessOrdinals(violation: KernelViolation): number[] {
    const ordinals = new Set<number>();
    for (const dependency of violation.chain ?? []) {
      const ordinal = this.lockdep.takenIn(dependency);
      if (ordinal !== this.executions) ordinals.add(ordinal);
    }
    return [...ordinals].sort((a, b) => a - b);
  }
}
