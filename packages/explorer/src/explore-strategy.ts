import {
  explore as exploreTarget,
  type ExploreOptions,
  replay as replayTarget,
  type Verdict,
} from './core/index.js';
import { DEFAULT_LINUX, type LinuxName, runsOn } from '@coupling-lab/lab';
import { scenarioNamed } from './catalogue/index.js';
import type { LabScenario } from './lab-scenario.js';
import type { CouplingStrategy } from '@coupling-lab/lab';
import { labCore, labTarget, type LabTargetOptions } from './lab-target.js';
import { resolveStrategy, type StrategyRef } from './strategy-ref.js';
import { ScheduleError } from './core/schedule-error.js';

/** A scenario whose race does not exist for the strategy (register-ops' kvm_vfio race, for one without kvm_vfio). */
export interface SkippedVerdict {
  readonly verdict: 'skipped';
  readonly reason: string;
}

export type ScenarioVerdict = Verdict | SkippedVerdict;

/** The explorer's bound, and the kernel every schedule boots (default v5.17). */
export interface LabExploreOptions extends ExploreOptions, LabTargetOptions {
  readonly linux?: LinuxName;
}

/** Why `scenario` cannot be raced against `strategy` on `linux`, or undefined when it can. */
export function skipReason(
  entry: LabScenario,
  strategy: CouplingStrategy,
  linux: LinuxName,
): string | undefined {
  const support = runsOn(strategy, linux);
  if (support !== true) return support;
  const notOn = entry.notOn?.[linux];
  if (notOn !== undefined) return `${entry.name} makes no sense on ${linux}: ${notOn}`;
  if (!entry.appliesTo(strategy, linux)) return `${entry.name} does not apply to ${strategy.name}`;
  return undefined;
}

/** A catalogue entry, or its name. */
export type ScenarioRef = LabScenario | string;

/**
 * Races `scenario` against `strategy` (an instance, class or registered name), each schedule from
 * the system a fresh boot and setup builds (the setup snapshot unless `reuseSetup` is false): 'clean' (with the bound, the schedule count and whether the bound was covered),
 * 'violation' (the minimal schedule, replayable with `replay`), or 'skipped'.
 */
export function explore(
  scenario: ScenarioRef,
  strategy: StrategyRef,
  options: LabExploreOptions = {},
): ScenarioVerdict {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  const linux = options.linux ?? DEFAULT_LINUX;
  const reason = skipReason(entry, resolved, linux);
  if (reason !== undefined) return { verdict: 'skipped', reason };
  return exploreTarget(labCore(entry), labTarget(entry, resolved, linux, options), options);
}

/** Re-executes a schedule string from a verdict; throws if it does not fit the scenario or the scenario does not apply. */
export function replay(
  scenario: ScenarioRef,
  strategy: StrategyRef,
  schedule: string,
  linux: LinuxName = DEFAULT_LINUX,
): Verdict {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  const reason = skipReason(entry, resolved, linux);
  if (reason !== undefined) throw new ScheduleError(`${reason}: nothing to replay`);
  return replayTarget(labCore(entry), labTarget(entry, resolved, linux), schedule);
}
