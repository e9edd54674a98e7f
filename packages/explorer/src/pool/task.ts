import type { LinuxName } from '@coupling-lab/lab';
import type { WorkUnit } from '../core/units.js';

/**
 * One work unit as a worker (or a job queue) receives it: everything needed to rebuild the
 * exploration from names. `imports` are module specifiers to import first: the strategy
 * packages (and plugins) that register the strategy's name.
 */
export interface UnitTask {
  readonly scenario: string;
  readonly strategy: string;
  readonly linux: LinuxName;
  readonly imports: readonly string[];
  readonly unit: WorkUnit;
}
