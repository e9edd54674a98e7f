import { DEFAULT_BOUND, explore, minimised, type ExploreOptions } from './explore.js';
import { replay } from './replay.js';
import type { ExplorationTarget, ScenarioCore } from './scenario.js';
import { Session } from './session.js';
import {
  batches,
  exploreBatch,
  mergeUnits,
  splitUnits,
  type SplitRequest,
  type UnitResult,
  type WorkUnit,
} from './units.js';
import type { Bound, Verdict } from './verdict.js';

/** Runs work units somewhere (in this thread, on a worker pool) and hands back their results, any order. */
export type UnitRunner = (units: readonly WorkUnit[]) => Promise<readonly UnitResult[]>;

/** Splits the exploration into work units somewhere (in this thread, on a worker of the pool that runs them). */
export type UnitSplitter = (request: SplitRequest) => Promise<readonly WorkUnit[]>;

/** Splits in this thread. */
export function splitInThisThread<W>(scenario: ScenarioCore<W>, target: ExplorationTarget<W>): UnitSplitter {
  return (request) => Promise.resolve(splitUnits(new Session(scenario, target), request));
}

/** Runs the units one batch after another in this thread: what a pool of one worker gives. */
export function inThisThread<W>(scenario: ScenarioCore<W>, target: ExplorationTarget<W>): UnitRunner {
  return (units) =>
    Promise.resolve(
      batches(units).flatMap((batch) => exploreBatch(() => new Session(scenario, target), batch)),
    );
}

/**
 * The exhaustive phase split into work units (units.ts) and merged in unit order, so the verdict,
 * its minimal schedule and the lockdep graph are the same whoever runs the units and in whatever
 * order they finish. A violation is rebuilt here by replaying its merged schedule string, and
 * minimised here (deepening from budget 0, as `explore` does).
 */
export async function exploreInUnits<W>(
  scenario: ScenarioCore<W>,
  target: ExplorationTarget<W>,
  options: ExploreOptions,
  run: UnitRunner,
  split: UnitSplitter = splitInThisThread(scenario, target),
): Promise<Verdict> {
  const bound: Bound = {
    maxDepth: options.maxDepth ?? DEFAULT_BOUND.maxDepth,
    maxPreemptions: options.maxPreemptions ?? DEFAULT_BOUND.maxPreemptions,
  };
  const maxSchedules = options.maxSchedules ?? 250_000;
  const stateCache = options.stateCache !== false;
  const units = (await split({ bound, budget: bound.maxPreemptions, maxSchedules })).map((unit) => ({
    ...unit,
    stateCache,
  }));
  const merged = mergeUnits(await run(units));
  if (merged.found === 'violation') {
    const rebuilt = replay(scenario, target, merged.schedule);
    if (rebuilt.verdict !== 'violation') {
      throw new Error(
        `explorer: the merged schedule "${merged.schedule}" replays clean; units must be deterministic`,
      );
    }
    const tallies = { schedules: merged.schedules, pruned: merged.pruned };
    const found = { ...rebuilt, ...tallies, bound };
    return minimised(new Session(scenario, target), tallies, bound, found, maxSchedules, stateCache);
  }
  const random = options.random;
  if (random !== undefined) {
    const after = explore(scenario, target, { ...options, maxSchedules: 0 });
    if (after.verdict === 'violation')
      return {
        ...after,
        schedules: merged.schedules + after.schedules,
        pruned: merged.pruned + after.pruned,
      };
    return {
      ...after,
      schedules: merged.schedules + after.schedules,
      pruned: merged.pruned + after.pruned,
      exhaustive: !merged.capped,
    };
  }
  return {
    verdict: 'clean',
    schedules: merged.schedules,
    pruned: merged.pruned,
    bound,
    exhaustive: !merged.capped,
  };
}
