import {
  explore as exploreTarget,
  type ExploreOptions,
  replay as replayTarget,
  type Verdict,
} from './core/index.js';
import { scenarioNamed } from './catalogue/index.js';
import type { LabScenario } from './lab-scenario.js';
import { labCore, labTarget } from './lab-target.js';
import { resolveStrategy, type StrategyRef } from './strategy-ref.js';
import { ScheduleError } from './core/schedule-error.js';

/** A scenario whose race does not exist for the strategy (register-ops' kvm_vfio race, for one without kvm_vfio). */
export interface SkippedVerdict {
  readonly verdict: 'skipped';
  readonly reason: string;
}

export type ScenarioVerdict = Verdict | SkippedVerdict;

/** A catalogue entry, or its name. */
export type ScenarioRef = LabScenario | string;

/**
 * Races `scenario` against `strategy` (an instance, class or registered name), each schedule from
 * a fresh boot: 'clean' (with the bound, the schedule count and whether the bound was covered),
 * 'violation' (the minimal schedule, replayable with `replay`), or 'skipped'.
 */
export function explore(
  scenario: ScenarioRef,
  strategy: StrategyRef,
  options: ExploreOptions = {},
): ScenarioVerdict {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  if (!entry.appliesTo(resolved)) {
    return { verdict: 'skipped', reason: `${entry.name} does not apply to ${resolved.name}` };
  }
  return exploreTarget(labCore(entry), labTarget(entry, resolved), options);
}

/** Re-executes a schedule string from a verdict; throws if it does not fit the scenario or the scenario does not apply. */
export function replay(scenario: ScenarioRef, strategy: StrategyRef, schedule: string): Verdict {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  if (!entry.appliesTo(resolved))
    throw new ScheduleError(`${entry.name} does not apply to ${resolved.name}: nothing to replay`);
  return replayTarget(labCore(entry), labTarget(entry, resolved), schedule);
}
