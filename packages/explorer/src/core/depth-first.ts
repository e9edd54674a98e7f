import type { DecisionSource } from './decisions.js';

/**
 * Depth-first enumeration of decision sequences by replay: each schedule follows the current
 * prefix, takes choice 0 at every new decision while recording how many options it had, and
 * `advance` then moves to the deepest decision with an untried option. Nothing but the two
 * growable arrays is kept between schedules.
 *
 * At a preemption point nesting is tried before continuing, so within a preemption budget the
 * schedules come in order of their earliest preemption point: the first violation found is the
 * one whose window opens first (the race itself, not a later symptom of it).
 */
export class DepthFirst implements DecisionSource {
  private readonly choices: number[] = [];
  private readonly options: number[] = [];
  private prefix = 0;
  private cursor = 0;

  begin(): void {
    this.cursor = 0;
  }

  top(_candidates: Int32Array, count: number): number {
    return count === 1 ? 0 : this.decide(count);
  }

  nest(_candidates: Int32Array, count: number): number {
    const choice = this.decide(count + 1);
    return choice === count ? -1 : choice;
  }

  /** Moves to the next untried decision sequence; false once the tree is exhausted. */
  advance(): boolean {
    if (this.cursor < this.prefix) throw nondeterministic(this.prefix, this.cursor);
    for (let i = this.cursor - 1; i >= 0; i--) {
      const next = (this.choices[i] ?? 0) + 1;
      if (next < (this.options[i] ?? 0)) {
        this.choices[i] = next;
        this.prefix = i + 1;
        return true;
      }
    }
    return false;
  }

  private decide(options: number): number {
    const i = this.cursor++;
    if (i < this.prefix) {
      if (this.options[i] !== options) throw nondeterministic(i + 1, i);
      return this.choices[i] ?? 0;
    }
    this.choices[i] = 0;
    this.options[i] = options;
    return 0;
  }
}

/** Replay only enumerates correctly if a schedule re-executes exactly; say so loudly when it does not. */
function nondeterministic(expected: number, decision: number): Error {
  return new Error(
    `the explored target is not deterministic: re-executing a schedule diverged at decision ${decision + 1} ` +
      `(expected ${expected} decision(s) to replay); boot and steps must not depend on anything outside the world they are given`,
  );
}
