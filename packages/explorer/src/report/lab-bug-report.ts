import type { LinuxName } from '@coupling-lab/lab';
import type { ViolationVerdict } from '../core/index.js';
import type { ScenarioRef } from '../explore-strategy.js';
import { scenarioNamed } from '../catalogue/index.js';
import { resolveStrategy, type StrategyRef } from '../strategy-ref.js';
import { bugReport, type BugContext, type BugReport } from './bug-report.js';
import { locateFault } from './fault-site.js';

/**
 * The report of a catalogue scenario's violation against a strategy on a kernel (context.linux,
 * default v5.17): the verdict, plus who faulted (found by replaying the schedule on that kernel
 * with every step watched) and the replay command.
 */
export function labBugReport(
  scenario: ScenarioRef,
  strategy: StrategyRef,
  verdict: ViolationVerdict,
  context: Omit<BugContext, 'scenario' | 'strategy' | 'fault' | 'linux'> & {
    readonly linux?: LinuxName;
  } = {},
): BugReport {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  const fault = locateFault(entry, resolved, verdict.schedule, context.linux);
  return bugReport(verdict, {
    ...context,
    scenario: entry.name,
    strategy: resolved.name,
    ...(fault === undefined ? {} : { fault }),
  });
}
