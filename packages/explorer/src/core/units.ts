import { LockDep } from '@coupling-lab/kernel';
import { DepthFirst } from './depth-first.js';
import { PREFIX_END, Prefixes } from './prefixes.js';
import type { Bound } from './verdict.js';
import type { Session } from './session.js';

/**
 * A work unit: every schedule whose first decisions are `prefix` (the choice taken at each), at
 * preemption budget `budget`, explored with sleep sets that start empty at the unit's frontier.
 * It is plain data naming a scenario and a strategy, so it can go to a worker thread, or
 * unchanged to a job queue on another machine (README, "Beyond one machine").
 */
export interface WorkUnit {
  readonly index: number;
  readonly prefix: readonly number[];
  readonly bound: Bound;
  readonly budget: number;
  readonly maxSchedules: number;
  /** State caching within the unit (state-cache.ts; default true). */
  readonly stateCache?: boolean;
}

/** A dependency a unit's schedule took first (within the unit), and that schedule. */
export interface UnitOrder {
  readonly held: string;
  readonly taken: string;
  /** The schedule string that took it, and its position in the unit. */
  readonly schedule: string;
  readonly at: number;
  /** The unit's tallies when that schedule ran (itself included). */
  readonly schedules: number;
  readonly pruned: number;
}

/** What a unit found: plain data, merged in unit order by mergeUnits. */
export interface UnitResult {
  readonly index: number;
  readonly schedules: number;
  readonly pruned: number;
  readonly executions: number;
  readonly capped: boolean;
  /** The unit's first violation: its schedule string (without lock-order witnesses from other units) and position. */
  readonly violation?: { readonly schedule: string; readonly at: number; readonly kind: string };
  readonly orders: readonly UnitOrder[];
}

/** What a split is asked for: the bound and budget its units explore at, and each unit's cap. */
export interface SplitRequest {
  readonly bound: Bound;
  readonly budget: number;
  readonly maxSchedules: number;
}

/** Decisions per unit prefix: a few hundred units for the three-thread scenario, a handful for the small ones. */
export const UNIT_DECISIONS = 4;

/**
 * Splits the space into units: one per distinct prefix of UNIT_DECISIONS decisions (plain
 * depth-first, no reduction), so the split does not depend on how many workers run it. Each
 * schedule stops where it would make its next decision (Prefixes): what follows cannot change
 * the prefixes, and the units run it anyway.
 */
export function splitUnits<W>(
  session: Session<W>,
  { bound, budget, maxSchedules }: SplitRequest,
): WorkUnit[] {
  const prefixes = new Prefixes(UNIT_DECISIONS);
  const units: WorkUnit[] = [];
  do {
    try {
      session.run(prefixes, bound.maxDepth, budget);
    } catch (error) {
      if (error !== PREFIX_END) throw error;
    }
    const prefix = prefixes.enumeration.path().choices;
    units.push({ index: units.length, prefix, bound, budget, maxSchedules });
  } while (prefixes.enumeration.advanceWithin(UNIT_DECISIONS));
  return units;
}

/**
 * Units per batch: consecutive units, explored in order by one task (in this thread or on a
 * worker), sharing the states they explored in full. A unit of a small scenario is a few
 * schedules, less work than the round trip that carries it. Batches are made the same way
 * whoever runs them, so a result does not depend on the number of workers.
 */
export const UNITS_PER_BATCH = 8;

/** `units` in consecutive batches of at most `size`. */
export function batches(units: readonly WorkUnit[], size: number = UNITS_PER_BATCH): WorkUnit[][] {
  const out: WorkUnit[][] = [];
  for (let i = 0; i < units.length; i += size) out.push(units.slice(i, i + size));
  return out;
}

/**
 * Explores a batch in order, each unit in a fresh session. A unit that ran to its end without a
 * violation explored everything below each state it reached, so the units after it in the batch
 * skip those states (state-cache.ts): from the same state the same schedules follow, and the
 * lock orders they take were taken by the earlier unit, which the merge adds first.
 */
export function exploreBatch<W>(session: () => Session<W>, units: readonly WorkUnit[]): UnitResult[] {
  const explored = new Map<string, number>();
  return units.map((unit) => exploreUnit(session(), unit, explored));
}

/** Explores one unit in `session` (fresh: its own lockdep graph), stopping at its first violation. */
export function exploreUnit<W>(
  session: Session<W>,
  unit: WorkUnit,
  explored?: Map<string, number>,
): UnitResult {
  const enumeration = new DepthFirst(unit.prefix);
  const cache = unit.stateCache === false ? null : session.stateCache(enumeration, explored);
  const orders: UnitOrder[] = [];
  let schedules = 0;
  let pruned = 0;
  let at = 0;
  do {
    if (session.executions >= unit.maxSchedules) {
      return { index: unit.index, schedules, pruned, executions: session.executions, capped: true, orders };
    }
    const logged = session.lockdep.log.length;
    const outcome = session.run(enumeration, unit.bound.maxDepth, unit.budget, enumeration, cache);
    at++;
    if (outcome === 'pruned') pruned++;
    else schedules++;
    const own = session.runner.scheduleText();
    for (const order of session.lockdep.log.slice(logged)) {
      orders.push({ held: order.held, taken: order.taken, schedule: own, at, schedules, pruned });
    }
    // Cut inside the prefix: every schedule of this unit is cut there (redundant with an earlier unit's).
    if (outcome === 'pruned' && !enumeration.passedFixed()) break;
    if (outcome !== 'pruned' && outcome !== 'complete') {
      const violation = { schedule: session.scheduleOf(outcome), at, kind: outcome.kind };
      return {
        index: unit.index,
        schedules,
        pruned,
        executions: session.executions,
        capped: false,
        violation,
        orders,
      };
    }
  } while (enumeration.advance());
  cache?.complete();
  return { index: unit.index, schedules, pruned, executions: session.executions, capped: false, orders };
}

/** The merged outcome: what a single-threaded run over the units in order would have found first. */
export type Merged =
  | { readonly found: 'none'; readonly schedules: number; readonly pruned: number; readonly capped: boolean }
  | {
      readonly found: 'violation';
      readonly schedule: string;
      readonly schedules: number;
      readonly pruned: number;
    };

/**
 * Merges unit results in unit order on one lockdep graph, as lockdep's rule wants: a cycle
 * closed by dependencies that different units took is found at the schedule that took the
 * closing one, and its schedule string is led by the schedules that took the others (oldest
 * first), so that replay rebuilds the graph. Otherwise the first unit's own violation wins.
 */
export function mergeUnits(results: readonly UnitResult[]): Merged {
  const graph = new LockDep();
  const takenBy = new Map<string, { unit: number; at: number; schedule: string }>();
  let schedules = 0;
  let pruned = 0;
  let capped = false;
  for (const result of [...results].sort((a, b) => a.index - b.index)) {
    const limit = result.violation?.at ?? Infinity;
    for (const order of result.orders) {
      if (order.at > limit) break;
      const edge = `${order.held}\u0000${order.taken}`;
      const cycle = graph.record(order.held, order.taken);
      if (!takenBy.has(edge))
        takenBy.set(edge, { unit: result.index, at: order.at, schedule: order.schedule });
      if (cycle !== undefined && !(result.violation?.kind === 'lock-order' && order.at === limit)) {
        const witnesses = cycle
          .map((link) => takenBy.get(`${link.held}\u0000${link.taken}`))
          .filter((taker) => taker !== undefined && !(taker.unit === result.index && taker.at === order.at))
          .sort((a, b) => (a?.unit ?? 0) - (b?.unit ?? 0) || (a?.at ?? 0) - (b?.at ?? 0))
          .map((taker) => taker?.schedule ?? '');
        const schedule = [...new Set(witnesses), order.schedule].join(' ; ');
        return {
          found: 'violation',
          schedule,
          schedules: schedules + order.schedules,
          pruned: pruned + order.pruned,
        };
      }
    }
    schedules += result.schedules;
    pruned += result.pruned;
    capped ||= result.capped;
    if (result.violation !== undefined) {
      return { found: 'violation', schedule: result.violation.schedule, schedules, pruned };
    }
  }
  return { found: 'none', schedules, pruned, capped };
}
