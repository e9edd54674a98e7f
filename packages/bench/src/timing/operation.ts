// What the harness times. Declared apart from the measuring code so that reports and tests can
// use the types without loading mitata.

/**
 * One repeatable operation on one subject. Only `run` is timed. Model operations are stateful
 * (GROUP_ADD must be undone by GROUP_DEL before it can be repeated), so `prepare` and `restore`
 * bracket every single `run`, untimed: prepare → [run] → restore → prepare → [run] → restore …
 * After `restore` the subject must be back in the state `prepare` expects.
 */
export interface TimedOperation {
  /** Untimed, before every `run`. */
  prepare?(): void;
  /** Timed. Its return value is passed to mitata's `do_not_optimize` so the JIT cannot drop it. */
  run(): unknown;
  /** Untimed, after every `run`. */
  restore?(): void;
  /**
   * How many operations one `run` does (1 by default): a floor too cheap to time one at a time
   * next to a clock pair does the same operation on several independent objects per run, and the
   * reports divide by this.
   */
  readonly opsPerRun?: number;
}

/**
 * How a cost was measured (see measure.ts):
 * - `batched`: operations without prepare/restore. mitata's own batched loop, thousands of
 *   back-to-back `run` calls per clock reading; the clock's cost is amortised away.
 * - `bracketed`: operations with prepare or restore. mitata's manual-timing mode; our generated
 *   loop reads the clock right before and after each `run`, so prepare/restore are excluded but
 *   every op carries one clock reading's cost, which the harness floor then subtracts.
 */
export type MeasureMethod = 'batched' | 'bracketed';

/** An operation needs per-run bracketing as soon as it has untimed per-run work. */
export function methodFor(op: TimedOperation): MeasureMethod {
  return op.prepare || op.restore ? 'bracketed' : 'batched';
}

/** One cell: one operation, one subject, one round. */
export interface CellMeasurement {
  method: MeasureMethod;
  /** Median over mitata's samples of the mean ns per `run` within each sample (harness included). */
  nsPerOp: number;
  /** mitata samples kept (after its trimming of 2 extremes each side). */
  samples: number;
  /** Total `run` calls that made up those samples. */
  opsTimed: number;
}
