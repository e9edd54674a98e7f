export { primitiveCounts, zeroCounts, type DirectedCounts, type PrimitiveCounts } from './counts.js';
export { estimateKernelNs, pricing, type CostTerm, type KernelEstimate } from './estimate.js';
export { harnessSource, measurePrimitiveCosts, parseHarnessOutput, type HarnessOptions } from './harness.js';
export {
  formatKernelNs,
  interpret,
  pricedInKernel,
  type PricedInKernel,
  type PricedOperation,
  type PricedStrategy,
} from './priced.js';
export {
  primitiveLabels,
  primitiveNames,
  type CostTable,
  type PrimitiveCost,
  type PrimitiveName,
} from './primitives.js';
export { publishedCosts, publishedCostTable } from './published.js';
