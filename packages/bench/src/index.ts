export {
  changeCost,
  codeText,
  lineDiff,
  type ChangeCost,
  type LineDiff,
  countedCosts,
  couplingMetrics,
  resultName,
  type CountedCosts,
  type CouplingMetrics,
} from './metrics/index.js';
export { operation, operationNames, type OperationName } from './operations.js';
export * from './timing/index.js';
export {
  RESOLUTION_FACTOR,
  runBench,
  type BenchCell,
  type BenchOptions,
  type BenchResult,
  type HookOverhead,
} from './run-bench.js';
export {
  baselineComparison,
  benchNs,
  benchRatio,
  benchSummaryLines,
  type BaselineCell,
} from './bench-summary.js';
export { DIRECT_WITH_HOOK, NO_MODEL, subjects, type SubjectsArgs } from './subjects.js';
export * from './kernel-cost/index.js';
