import type { KernelViolation, TraceStep, ViolationKind } from '@coupling-lab/kernel';
import type { ScheduledStep, WaitingThread } from './scheduler.js';
import type { ChainLink, Session } from './session.js';

/** The bounded space: nesting depth (top-level steps are depth 0) and preemptions per schedule. */
export interface Bound {
  readonly maxDepth: number;
  readonly maxPreemptions: number;
}

export interface RandomRuns {
  readonly runs: number;
  readonly seed: number;
  /**
   * PCT with this bug depth d (pct-choices.ts) instead of the default random schedules, which
   * draw a preemption rate per schedule and nest at each point with it.
   */
  readonly pct?: number;
}

/** How many distinct schedules ran to the end (or to the reported violation), and how many were pruned as infeasible. */
export interface Tally {
  readonly schedules: number;
  readonly pruned: number;
}

export interface CleanVerdict extends Tally {
  readonly verdict: 'clean';
  readonly bound: Bound;
  /** Every schedule within the bound was run (not cut short by maxSchedules). */
  readonly exhaustive: boolean;
  /** The random schedules run after the bounded ones, if asked for. */
  readonly random?: RandomRuns;
}

export interface ViolationVerdict extends Tally {
  readonly verdict: 'violation';
  readonly kind: ViolationKind;
  readonly message: string;
  readonly module?: string;
  readonly object?: string;
  /** Replayable with `replay` (format in schedule-string.ts). */
  readonly schedule: string;
  /** Preemptions the reported schedule took; bounded exploration reports a schedule with the fewest. */
  readonly preemptions: number;
  /** The reported schedule's steps in the order they started. */
  readonly steps: readonly ScheduledStep[];
  /** The kernel trace leading to the fault. */
  readonly trace: readonly TraceStep[];
  /** For `lock-order`: lockdep's cycle, each dependency with the schedule that first took it. */
  readonly chain?: readonly ChainLink[];
  /** For `deadlock`: every thread that can never run again, and what it waits for. */
  readonly waiting?: readonly WaitingThread[];
  readonly bound: Bound;
}

export type Verdict = CleanVerdict | ViolationVerdict;

/** The verdict for the violation that ended the session's last schedule. */
export function violationVerdict<W>(
  session: Session<W>,
  violation: KernelViolation,
  tally: Tally,
  bound: Bound,
): ViolationVerdict {
  const runner = session.runner;
  const chain = session.chainOf(violation);
  return {
    verdict: 'violation',
    kind: violation.kind,
    message: violation.message,
    ...(violation.module === undefined ? {} : { module: violation.module }),
    ...(violation.object === undefined ? {} : { object: violation.object }),
    schedule: session.scheduleOf(violation),
    preemptions: runner.preemptions,
    steps: runner.steps(),
    trace: violation.trace,
    ...(chain === undefined ? {} : { chain }),
    ...(violation.kind === 'deadlock' ? { waiting: runner.waiting } : {}),
    schedules: tally.schedules,
    pruned: tally.pruned,
    bound,
  };
}
