import type { DecisionSource } from './decisions.js';
import type { Prng } from './prng.js';

/** Preemption rates a random schedule draws from: 1/2, 1/4, 1/8, 1/16 per preemption point. */
const RATE_SHIFTS = 4;

/**
 * Random decisions from a seeded PRNG. Each schedule draws how often it preempts, so both dense
 * and sparse preemption patterns come up (a uniform choice at every point would almost always
 * preempt at the first one).
 */
export class RandomChoices implements DecisionSource {
  private rate = 2;

  constructor(private readonly prng: Prng) {}

  begin(): void {
    this.rate = 2 << this.prng.below(RATE_SHIFTS);
  }

  top(_candidates: Int32Array, count: number): number {
    return count === 1 ? 0 : this.prng.below(count);
  }

  nest(_candidates: Int32Array, count: number): number {
    return this.prng.below(this.rate) === 0 ? this.prng.below(count) : -1;
  }
}
