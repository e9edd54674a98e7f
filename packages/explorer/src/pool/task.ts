import type { LinuxName } from '@coupling-lab/lab';
import type { SplitRequest, WorkUnit } from '../core/units.js';

/**
 * What a worker (or a job queue) needs to rebuild an exploration from names. `imports` are
 * module specifiers to import first: the strategy packages (and plugins) that register the
 * strategy's name.
 */
export interface TargetTask {
  readonly scenario: string;
  readonly strategy: string;
  readonly linux: LinuxName;
  readonly imports: readonly string[];
}

/**
 * A batch of consecutive work units of the exploration, each explored on its own, as if it had
 * come alone: batching only saves a round trip per unit, it changes no result.
 */
export interface UnitTask extends TargetTask {
  readonly units: readonly WorkUnit[];
}

/** The exploration's split into work units (units.ts), made by a worker on fresh boots (lab-target.ts splitTarget). */
export interface SplitTask extends TargetTask {
  readonly split: SplitRequest;
}

export type PoolTask = UnitTask | SplitTask;

/** The target a task explores, as a key: the world a worker builds once and keeps for it. */
export function targetKey(task: TargetTask): string {
  return `${task.scenario}\u0000${task.strategy}\u0000${task.linux}`;
}
