export { countedCosts, type CountedCosts } from './counted-costs.js';
export { couplingMetrics, resultName, type CouplingMetrics } from './coupling-metrics.js';
export { changeCost, codeText, lineDiff, type ChangeCost, type LineDiff } from './change-cost.js';
