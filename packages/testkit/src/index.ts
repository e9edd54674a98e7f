export { agreedState, describeResult, expectOk, expectRefused, expectResult } from './assertions.js';
export { conformanceCases } from './cases/index.js';
export type { ConformanceCase } from './conformance/case.js';
export { runConformance } from './conformance/run-conformance.js';
export {
  runCase,
  type CaseResult,
  type ConformanceOptions,
  type ConformanceResult,
} from './conformance/run.js';
export { strategyName, type StrategyRef } from './conformance/strategy-ref.js';
export * from './fixtures.js';
export {
  DEFAULT_FUZZ_RUNS,
  differentialFuzz,
  fuzzRunsFromEnv,
  runSteps,
  type FuzzFailure,
  type FuzzOptions,
  type FuzzReport,
} from './fuzz/differential.js';
export { formatStep, type FdKind, type FdRef, type FuzzModule, type Step } from './fuzz/steps.js';
export { DifferentialError } from './fuzz/world.js';
export * from './device-file-fixtures.js';
