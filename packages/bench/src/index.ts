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
export { runBench, type BenchCell, type BenchOptions, type BenchResult } from './run-bench.js';
export { DIRECT_WITH_HOOK, NO_MODEL, subjects, type SubjectsArgs } from './subjects.js';
