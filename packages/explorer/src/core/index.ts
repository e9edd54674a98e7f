export { DEFAULT_BOUND, explore, type ExploreOptions } from './explore.js';
export { replay } from './replay.js';
export { ScheduleError } from './schedule-error.js';
export type { ExplorationTarget, ScenarioCore, Step } from './scenario.js';
export type { ScheduledStep, WaitingThread } from './scheduler.js';
export type { ChainLink } from './session.js';
export {
  formatSchedule,
  parseSchedule,
  type ScheduleSegments,
  type ScheduleToken,
} from './schedule-string.js';
export type { Bound, CleanVerdict, RandomRuns, Tally, Verdict, ViolationVerdict } from './verdict.js';
export {
  exploreInUnits,
  inThisThread,
  splitInThisThread,
  type UnitRunner,
  type UnitSplitter,
} from './explore-units.js';
export type { SplitRequest, UnitResult, WorkUnit } from './units.js';
