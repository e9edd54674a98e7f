// The catalogue-level API: race a catalogue scenario against a strategy, replay what it found.
export { catalogue, scenarioNamed, UnknownScenarioError } from './catalogue/index.js';
export {
  explore,
  replay,
  type LabExploreOptions,
  type ScenarioRef,
  type ScenarioVerdict,
  type SkippedVerdict,
} from './explore-strategy.js';
export type { LabScenario, LabWorld } from './lab-scenario.js';
export { exploreParallel, explorerPool, type ParallelOptions } from './parallel.js';
export type { PoolTask, SplitTask, TargetTask, UnitTask } from './pool/task.js';
export { labCore, labTarget, splitTarget } from './lab-target.js';
export { resolveStrategy, type StrategyRef } from './strategy-ref.js';

// The scheduler core, for any world (the lab, or a kernel-only toy).
export {
  DEFAULT_BOUND,
  explore as exploreTarget,
  exploreInUnits,
  inThisThread,
  splitInThisThread,
  type SplitRequest,
  type UnitRunner,
  type UnitSplitter,
  type UnitResult,
  type WorkUnit,
  formatSchedule,
  parseSchedule,
  replay as replayTarget,
  ScheduleError,
  type Bound,
  type CleanVerdict,
  type ExplorationTarget,
  type ExploreOptions,
  type RandomRuns,
  type ScenarioCore,
  type ChainLink,
  type ScheduledStep,
  type WaitingThread,
  type ScheduleSegments,
  type ScheduleToken,
  type Step,
  type Tally,
  type Verdict,
  type ViolationVerdict,
} from './core/index.js';

// Violation reports in the shape of KASAN's and lockdep's, and the interleaving of a schedule.
export * from './report/index.js';

// The coupling's history: each posted, shipped or proposed shape, convicted or cleared by exploration.
export * from './history/index.js';
