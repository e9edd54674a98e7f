export { GetOpsNoFileRefStrategy, GetOpsStrategy, GetOpsV1PostedStrategy } from './get-ops-strategy.js';
export type { GetOpsHandle } from './get-ops-port.js';
