import { DepthFirst } from './depth-first.js';
import type { DecisionSource } from './decisions.js';
import { Prng } from './prng.js';
import { RandomChoices } from './random-choices.js';
import type { ExplorationTarget, ScenarioCore } from './scenario.js';
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
}

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
  const bound: Bound = { maxDepth: options.maxDepth ?? 2, maxPreemptions: options.maxPreemptions ?? 2 };
  const maxSchedules = options.maxSchedules ?? 250_000;
  const session = new Session(scenario, target);
  const tallies = new Tallies();
  let exhaustive = true;

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
    const choices = new RandomChoices(new Prng(random.seed));
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
