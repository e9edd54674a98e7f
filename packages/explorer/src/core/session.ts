import type { KernelViolation } from '@coupling-lab/kernel';
import type { DecisionSource } from './decisions.js';
import type { ExplorationTarget, ScenarioCore } from './scenario.js';
import { ScheduleRunner, type Outcome } from './scheduler.js';
import { joinSegments } from './schedule-string.js';
import { TrackedLockDep } from './tracked-lockdep.js';

/**
 * The schedules of one exploration (or one replay): each boots a fresh world, but all share one
 * lockdep graph, as lockdep's rule wants orders from different runs to combine.
 */
export class Session<W> {
  readonly runner: ScheduleRunner<W>;
  /** Schedules executed, re-executions included. */
  executions = 0;

  private readonly lockdep = new TrackedLockDep();
  /** Schedule strings of the schedules that first took some lock order, by ordinal: the possible witnesses. */
  private readonly witnesses = new Map<number, string>();

  constructor(
    private readonly scenario: ScenarioCore<W>,
    private readonly target: ExplorationTarget<W>,
  ) {
    this.runner = new ScheduleRunner(scenario);
  }

  run(source: DecisionSource, maxDepth: number, budget: number): Outcome {
    const ordinal = ++this.executions;
    const lockdep = this.lockdep;
    lockdep.begin(ordinal);
    const { kernel, world } = this.target.boot(lockdep);
    if (kernel.lockdep !== lockdep) {
      throw new Error(
        `scenario ${this.scenario.name}: the target's boot must build its Kernel with the lockdep it is given`,
      );
    }
    const outcome = this.runner.run(kernel, world, source, maxDepth, budget);
    if (lockdep.newOrders) this.witnesses.set(ordinal, this.runner.scheduleText());
    return outcome;
  }

  /**
   * The last schedule as a replayable string. A lock-order inversion against an order only an
   * earlier schedule took is led by that schedule, so replay rebuilds the same lockdep graph.
   */
  scheduleOf(violation: KernelViolation): string {
    const own = this.runner.scheduleText();
    const witness = this.lockdep.inversionWitness;
    if (violation.kind !== 'lock-order' || witness < 0 || witness === this.executions) return own;
    const text = this.witnesses.get(witness);
    return text === undefined ? own : joinSegments([text, own]);
  }
}
