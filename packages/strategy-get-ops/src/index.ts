export { GetOpsNoFileRefStrategy, GetOpsStrategy } from './get-ops-strategy.js';
export type { GetOpsHandle } from './get-ops-port.js';
