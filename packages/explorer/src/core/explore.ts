import { DepthFirst } from './depth-first.js';
import type { DecisionSource } from './decisions.js';
import { Prng } from './prng.js';
import { PctChoices } from './pct-choices.js';
import { RandomChoices } from './random-choices.js';
import type { ExplorationTarget, ScenarioCore } from './scenario.js';
import { parseSchedule } from './schedule-string.js';
import { Session } from './session.js';
import { violationVerdict, type Bound, type RandomRuns, type Verdict } from './verdict.js';

export interface ExploreOptions {
  /** Deepest nesting of steps inside steps (default 2; 0 interleaves whole steps only). */
  readonly maxDepth?: number;
  /** Preemptions per schedule in the exhaustive phase (default 2). */
  readonly maxPreemptions?: number;
  /** Cap on schedule executions in the exhaustive phase, re-executions included (default 250 000; 0 skips it). */
  readonly maxSchedules?: number;
  /** Then run this many random schedules (nesting up to maxDepth, preemptions unbounded) from this seed. */
  readonly random?: RandomRuns;
  /**
   * Partial-order reduction (default true): one pass at the full budget with sleep sets
   * (reduction.ts), deepening from budget 0 only to minimise a violation found. False: plain
   * depth-first search by iterative deepening, every schedule within the bound.
   */
  readonly por?: boolean;
  /**
   * With the reduction: state caching between top-level steps as well (default true; state-cache.ts),
   * for a target that can fingerprint its worlds. False: sleep sets only.
   */
  readonly stateCache?: boolean;
}

/** The default bound: nesting depth and preemptions per schedule. */
export const DEFAULT_BOUND: Bound = { maxDepth: 2, maxPreemptions: 4 };

/** Distinct schedules seen so far: run to the end (or to the violation), or pruned. */
class Tallies {
  schedules = 0;
  pruned = 0;
}

/**
 * Races the scenario's threads. Exhaustive phase: depth-first over decision sequences for a
 * preemption budget of 0, 1, … maxPreemptions (iterative deepening), so the first violation found
 * uses the fewest preemptions. Random phase (if asked): seeded random schedules beyond the bound.
 * Stops at the first violation.
 */
export function explore<W>(
  scenario: ScenarioCore<W>,
  target: ExplorationTarget<W>,
  options: ExploreOptions = {},
): Verdict {
  const bound: Bound = {
    maxDepth: options.maxDepth ?? DEFAULT_BOUND.maxDepth,
    maxPreemptions: options.maxPreemptions ?? DEFAULT_BOUND.maxPreemptions,
  };
  const maxSchedules = options.maxSchedules ?? 250_000;
  const session = new Session(scenario, target);
  const tallies = new Tallies();
  let exhaustive = true;

  if (options.por !== false && maxSchedules > 0) {
    const cache = options.stateCache !== false;
    const found = reducedPass(session, tallies, bound, bound.maxPreemptions, maxSchedules, cache);
    if (found === 'capped') exhaustive = false;
    else if (found !== undefined)
      return minimised(new Session(scenario, target), tallies, bound, found, maxSchedules, cache);
  } else
    levels: for (let budget = 0; budget <= bound.maxPreemptions; budget++) {
      const enumeration = new DepthFirst();
      let saturated = false;
      do {
        if (session.executions >= maxSchedules) {
          exhaustive = false;
          break levels;
        }
        const verdict = runOne(session, tallies, enumeration, bound, budget);
        if (verdict !== undefined) return verdict;
        saturated ||= session.runner.saturated;
      } while (enumeration.advance());
      // No schedule met a preemption point that only the budget kept it from taking: a larger budget adds nothing.
      if (!saturated) break;
    }

  const random = options.random;
  if (random !== undefined) {
    const prng = new Prng(random.seed);
    const choices =
      random.pct === undefined
        ? new RandomChoices(prng)
        : new PctChoices(prng, scenario.threads.length, Math.max(1, Math.floor(random.pct)));
    for (let run = 0; run < random.runs; run++) {
      const verdict = runOne(session, tallies, choices, bound, Infinity);
      if (verdict !== undefined) return verdict;
    }
  }
  return {
    verdict: 'clean',
    schedules: tallies.schedules,
    pruned: tallies.pruned,
    bound,
    exhaustive,
    ...(random === undefined ? {} : { random }),
  };
}

/**
 * One depth-first pass at `budget` with sleep sets (and state caching, with `cache`): the first
 * violation in depth-first order, or 'capped' if the execution cap stopped it, or undefined if
 * every schedule was clean.
 */
function reducedPass<W>(
  session: Session<W>,
  tallies: Tallies | null,
  bound: Bound,
  budget: number,
  maxSchedules: number,
  stateCache: boolean,
): Verdict | 'capped' | undefined {
  const enumeration = new DepthFirst();
  const cache = stateCache ? session.stateCache(enumeration) : null;
  do {
    if (session.executions >= maxSchedules) return 'capped';
    const outcome = session.run(enumeration, bound.maxDepth, budget, enumeration, cache);
    if (outcome === 'pruned') {
      if (tallies !== null) tallies.pruned++;
      continue;
    }
    if (tallies !== null) tallies.schedules++;
    if (outcome !== 'complete') return violationVerdict(session, outcome, tallies ?? new Tallies(), bound);
  } while (enumeration.advance());
  return undefined;
}

/**
 * A violation found in the single pass may use more preemptions than needed: deepen from budget
 * 0 until one is found (the reduction is sound at every budget, so the first found has the
 * fewest). Those passes re-execute schedules and are not counted; they run in a fresh session,
 * on a fresh lockdep graph, as iterative deepening would (a graph that already holds every
 * order the first pass took would not see a cycle close again).
 */
export function minimised<W>(
  session: Session<W>,
  tallies: Tallies,
  bound: Bound,
  found: Verdict,
  maxSchedules: number,
  stateCache: boolean,
): Verdict {
  if (found.verdict !== 'violation') return found;
  for (let budget = 0; budget < budgetOf(found.schedule); budget++) {
    const smaller = reducedPass(session, null, bound, budget, maxSchedules, stateCache);
    if (smaller === 'capped') break;
    if (smaller !== undefined && smaller.verdict === 'violation')
      return { ...smaller, schedules: tallies.schedules, pruned: tallies.pruned };
  }
  return found;
}

/**
 * The preemption budget a schedule string needs: the most preemptions any of its schedules takes.
 * A lock-order verdict's own schedule may take none while a witness before it (`a ; b`) took
 * some: that violation is only reachable at the witness's budget, and a smaller budget may hold
 * another that iterative deepening would report first.
 */
export function budgetOf(schedule: string): number {
  let most = 0;
  for (const segment of parseSchedule(schedule))
    most = Math.max(most, segment.filter((token) => token.point !== 0).length);
  return most;
}

/**
 * Runs one schedule and tallies it; a verdict if it hit a violation. Under a finite budget only a
 * schedule using all of it is new (the others ran at a smaller budget); random ones all count.
 */
function runOne<W>(
  session: Session<W>,
  tallies: Tallies,
  source: DecisionSource,
  bound: Bound,
  budget: number,
): Verdict | undefined {
  const outcome = session.run(source, bound.maxDepth, budget);
  const fresh = budget === Infinity || session.runner.preemptions === budget;
  if (outcome === 'pruned') {
    if (fresh) tallies.pruned++;
    return undefined;
  }
  if (fresh) tallies.schedules++;
  if (outcome === 'complete') return undefined;
  return violationVerdict(session, outcome, tallies, bound);
}
