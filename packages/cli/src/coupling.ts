import { couplingMetrics } from '@coupling-lab/bench';
import type { CouplingStrategy } from '@coupling-lab/lab';
import type { CouplingMetrics } from './report/index.js';

/** The strategy's coupling as the report shows it, measured by booting and trying. */
export function reportCoupling(strategy: CouplingStrategy): CouplingMetrics & ReturnType<typeof couplingMetrics> {
  return couplingMetrics(strategy);
}
