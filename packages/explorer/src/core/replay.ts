import type { ExplorationTarget, ScenarioCore } from './scenario.js';
import type { Outcome } from './scheduler.js';
import { parseSchedule, type ScheduleToken } from './schedule-string.js';
import { ScriptedChoices } from './scripted-choices.js';
import { Session } from './session.js';
import { violationVerdict, type Verdict } from './verdict.js';
import { ScheduleError } from './schedule-error.js';

/**
 * Re-executes a schedule string (from a verdict, or written by hand) exactly and returns its
 * verdict. Throws an Error if the string is malformed, does not fit the scenario, or describes an
 * infeasible schedule (a step that would block). The bound reported is the schedule's own.
 */
export function replay<W>(
  scenario: ScenarioCore<W>,
  target: ExplorationTarget<W>,
  schedule: string,
): Verdict {
  const segments = parseSchedule(schedule);
  const session = new Session(scenario, target);
  const runner = session.runner;
  let schedules = 0;
  let pruned = 0;
  // Leading segments are lock-order witnesses: they only rebuild the lockdep graph (and may have been cut short by a block).
  for (const [index, tokens] of segments.slice(0, -1).entries()) {
    const outcome = runSegment(session, tokens, schedule);
    if (outcome === 'pruned') pruned++;
    else if (outcome === 'complete') schedules++;
    else
      throw new ScheduleError(
        `schedule "${schedule}": segment ${index + 1} ends in ${outcome.message}; only the last one may`,
      );
  }
  const outcome = runSegment(session, segments[segments.length - 1] ?? [], schedule);
  if (outcome === 'pruned')
    throw new ScheduleError(
      `schedule "${schedule}" is infeasible: a step would block on ${runner.blockedOn}`,
    );
  schedules++;
  const bound = { maxDepth: runner.deepest, maxPreemptions: runner.preemptions };
  if (outcome === 'complete') return { verdict: 'clean', schedules, pruned, bound, exhaustive: false };
  return violationVerdict(session, outcome, { schedules, pruned }, bound);
}

function runSegment<W>(session: Session<W>, tokens: readonly ScheduleToken[], schedule: string): Outcome {
  const script = new ScriptedChoices(tokens, schedule);
  const outcome = session.run(script, Infinity, Infinity);
  script.finish();
  return outcome;
}
