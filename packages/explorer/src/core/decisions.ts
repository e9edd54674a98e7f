/**
 * Where a schedule's decisions come from: depth-first enumeration, a seeded PRNG, or a schedule
 * string being replayed. `candidates[0..count)` are the thread numbers that may run, ascending.
 */
export interface DecisionSource {
  /** Called before each schedule. */
  begin(): void;
  /** Top level: the index of the candidate whose next step runs. */
  top(candidates: Int32Array, count: number): number;
  /**
   * At preemption point `point` of thread `running`'s step: -1 to continue, or the index of the
   * candidate whose next step runs nested.
   */
  nest(candidates: Int32Array, count: number, point: number, running?: number): number;
}
