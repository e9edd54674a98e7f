import type { DecisionSource } from './decisions.js';
import { DepthFirst } from './depth-first.js';

/** Thrown by Prefixes where a schedule would make a decision past its prefix. One instance: no stack to capture. */
class PrefixEnd extends Error {
  constructor() {
    super(
      'explorer-internal signal: the schedule has made every decision of its prefix; it must not be caught',
    );
    this.name = 'PrefixEnd';
  }
}
export const PREFIX_END = new PrefixEnd();

/**
 * Depth-first enumeration of the first `decisions` decisions only: a schedule ends (PREFIX_END
 * thrown out of the run) where it would make one more. Decisions are what DepthFirst counts:
 * a top-level choice among two or more threads, and every preemption point that asks.
 */
export class Prefixes implements DecisionSource {
  readonly enumeration = new DepthFirst();

  constructor(private readonly decisions: number) {}

  begin(): void {
    this.enumeration.begin();
  }

  top(candidates: Int32Array, count: number): number {
    if (count > 1) this.endIfComplete();
    return this.enumeration.top(candidates, count);
  }

  nest(candidates: Int32Array, count: number): number {
    this.endIfComplete();
    return this.enumeration.nest(candidates, count);
  }

  private endIfComplete(): void {
    if (this.enumeration.decisionsMade() >= this.decisions) throw PREFIX_END;
  }
}
