import type { DecisionSource } from './decisions.js';
import type { Footprint } from './footprint.js';
import type { SleepEntry, SleepSource } from './reduction.js';
import type { CachePath } from './state-cache.js';

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
export class DepthFirst implements DecisionSource, SleepSource, CachePath {
  private readonly choices: number[] = [];
  private readonly options: number[] = [];
  /** Per decision: the threads nested there so far, each with the union of its runs' footprints (sleep sets). */
  private readonly nestedThere: Map<number, Footprint>[] = [];
  /** The same as entries, built once per decision when its `continue` is first taken. */
  private readonly entries: (SleepEntry[] | undefined)[] = [];
  private prefix = 0;
  private cursor = 0;

  /**
   * `fixed` decisions are a work unit's prefix: replayed, never advanced (see units.ts). With
   * `fixed` empty the whole tree is enumerated.
   */
  constructor(private readonly fixed: readonly number[] = []) {
    for (const [i, choice] of fixed.entries()) this.choices[i] = choice;
    this.prefix = fixed.length;
  }

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
    return this.advanceWithin(Infinity);
  }

  /** As advance, changing only the first `decisions` decisions (work units are such prefixes). */
  advanceWithin(decisions: number): boolean {
    if (this.cursor < this.prefix) throw nondeterministic(this.prefix, this.cursor);
    for (let i = Math.min(this.cursor, decisions) - 1; i >= this.fixed.length; i--) {
      const next = (this.choices[i] ?? 0) + 1;
      if (next < (this.options[i] ?? 0)) {
        this.choices[i] = next;
        this.prefix = i + 1;
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the schedule that just ran got past the fixed prefix. One the reduction cut inside it
   * (a top-level order it had seen swapped) cuts every schedule of the unit at the same place.
   */
  passedFixed(): boolean {
    return this.cursor >= this.fixed.length;
  }

  lastDecision(): number {
    return this.cursor - 1;
  }

  decisionsMade(): number {
    return this.cursor;
  }

  unchanged(): number {
    return this.prefix - 1;
  }

  fixedDecisions(): number {
    return this.fixed.length;
  }

  nestedFootprint(decision: number, thread: number, footprint: Footprint): void {
    const there = this.nestedThere[decision];
    if (there === undefined) return;
    const known = there.get(thread);
    if (known === undefined) there.set(thread, footprint.copy());
    else known.addAll(footprint);
  }

  explored(decision: number): readonly SleepEntry[] {
    const built = this.entries[decision];
    if (built !== undefined) return built;
    const there = this.nestedThere[decision];
    const entries =
      there === undefined ? [] : [...there].map(([thread, footprint]) => ({ thread, footprint }));
    // Only 'continue' asks, and it is a decision's last option: its nestings are all explored.
    this.entries[decision] = entries;
    return entries;
  }

  /** The decisions of the schedule that just ran, as a work unit's prefix: choices and option counts. */
  path(): { readonly choices: number[]; readonly options: number[] } {
    return { choices: this.choices.slice(0, this.cursor), options: this.options.slice(0, this.cursor) };
  }

  private decide(options: number): number {
    const i = this.cursor++;
    if (i < this.prefix) {
      if (i >= this.fixed.length && this.options[i] !== options) throw nondeterministic(i + 1, i);
      if (i < this.fixed.length) this.options[i] = options;
      return this.choices[i] ?? 0;
    }
    this.choices[i] = 0;
    this.options[i] = options;
    // A decision made afresh: nothing has been nested here yet in this subtree.
    if (i >= this.fixed.length) this.nestedThere[i] = new Map();
    this.entries[i] = undefined;
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
