import type { ExplorationTarget } from './scenario.js';

/** What the state cache needs from the enumeration (DepthFirst): where each schedule's decisions start to differ. */
export interface CachePath {
  /** Decisions made so far in the schedule running. */
  decisionsMade(): number;
  /** Decisions the schedule running replays unchanged from the one before it (its prefix less the one advanced). */
  unchanged(): number;
  /** Decisions every schedule of the search shares (a work unit's prefix): what lies below a state reached within them is only partly searched. */
  fixedDecisions(): number;
}

/**
 * State caching between top-level steps (the "visited states" of a stateful model checker,
 * fitted to depth-first search by re-execution). After each top-level step the world's state
 * is fingerprinted (lab's StateFingerprint) together with each thread's next step. Once every
 * schedule that continues from a state has been explored (the search has moved on to a decision
 * made before that state was reached), a later schedule reaching the same state, with at least
 * as many preemptions used, only repeats what was explored from there: the rest of its run, its
 * checks, its teardown and the lock orders it takes are the same, since a schedule re-executes
 * deterministically from its state (replay relies on that). So it ends there, counted as pruned.
 *
 * That is sound under the preemption bound: the skipped continuations are within the budget the
 * first visit had left, so each was explored there (or cut by the reduction for one explored
 * earlier still), and every skip stands for a schedule explored before it, so the first
 * violation in depth-first order is never skipped. Lock orders are not part of the state: the
 * graph only grows, and what the first visit's continuations recorded is in it already.
 *
 * A sleeping task's continuation is a closure, which no fingerprint can read; it is named
 * instead by what made it: the last top-level state and the step starts since (thread,
 * preemption point counted from there), which determine everything that ran since, since a
 * schedule re-executes deterministically. A continuation with no name matches no other.
 */
export class StateCache<W> {
  /** The top-level states of the schedule running, in order: decisions made when reached, key, preemptions used. */
  private readonly reachedAt: number[] = [];
  private readonly keys: (string | undefined)[] = [];
  private readonly used: number[] = [];
  private reached = 0;
  /** The current schedule's boundary count. */
  private boundary = 0;
  /** Names of the continuations of the tasks asleep now, for the fingerprint. */
  private readonly aliases = new Map<object, string>();

  /**
   * `done` maps a state (fingerprint and next steps) to the fewest preemptions a visit whose
   * continuations are all explored had used; consecutive work units share one (units.ts).
   */
  constructor(
    private readonly fingerprint: NonNullable<ExplorationTarget<W>['fingerprint']>,
    private readonly path: CachePath,
    private readonly done: Map<string, number> = new Map(),
  ) {}

  /**
   * A schedule starts. The states reached after the decisions it changes are left behind for
   * good: everything that continues from them has been explored.
   */
  begin(): void {
    this.leave(this.path.unchanged());
    this.boundary = 0;
    this.aliases.clear();
  }

  /**
   * The search is over and nothing stopped it: every state the last schedule reached after the
   * fixed decisions is explored. One reached within them is not: other units share its prefix.
   */
  complete(): void {
    this.leave(this.path.fixedDecisions() - 1);
  }

  /** The states reached after more than `unchanged` decisions are behind: they are explored. */
  private leave(unchanged: number): void {
    let kept = this.reached;
    while (kept > 0 && (this.reachedAt[kept - 1] ?? 0) > unchanged) {
      kept--;
      const key = this.keys[kept];
      const used = this.used[kept] ?? 0;
      if (key !== undefined && used < (this.done.get(key) ?? Infinity)) this.done.set(key, used);
    }
    this.reached = kept;
  }

  /** The key of the last top-level state reached (undefined if it had no fingerprint). */
  private get last(): string | undefined {
    return this.boundary === 0 ? 'start' : this.keys[this.boundary - 1];
  }

  /**
   * Between two top-level steps: whether this state (with the threads' next steps `next`) was
   * explored before with no more preemptions used than `used`. `lastStep`: one step is left to run
   * and nobody sleeps, so only one schedule continues from here, and a fingerprint would cost
   * more than it could save.
   */
  explored(world: W, next: Int32Array, used: number, exclude: readonly object[], lastStep: boolean): boolean {
    const index = this.boundary++;
    // Replayed unchanged from the schedule before: the same state, already known not to be explored.
    if (index < this.reached) return false;
    const key = lastStep ? undefined : this.stateOf(world, next, exclude);
    if (key !== undefined && (this.done.get(key) ?? Infinity) <= used) return true;
    this.reachedAt[index] = this.path.decisionsMade();
    this.keys[index] = key;
    this.used[index] = used;
    this.reached = index + 1;
    return false;
  }

  /** The world's fingerprint with the threads' next steps, undefined if it has none. */
  private stateOf(world: W, next: Int32Array, exclude: readonly object[]): string | undefined {
    const fingerprint = this.fingerprint(world, exclude, this.aliases);
    return fingerprint === undefined ? undefined : `${fingerprint}|${next.join(',')}`;
  }

  /** A task fell asleep in `continuation`; `how` names the step starts since the last top-level state. */
  asleep(continuation: object, how: string): void {
    const last = this.last;
    if (last !== undefined) this.aliases.set(continuation, `${last}/${how}`);
  }
}
