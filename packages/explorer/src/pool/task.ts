import type { LinuxName } from '@coupling-lab/lab';
import type { WorkUnit } from '../core/units.js';

/**
 * Work units as a worker (or a job queue) receives them: everything needed to rebuild the
 * exploration from names, and a batch of consecutive units of it (each explored on its own, as
 * if it had come alone: batching only saves a round trip per unit, it changes no result).
 * `imports` are module specifiers to import first: the strategy packages (and plugins) that
 * register the strategy's name.
 */
export interface UnitTask {
  readonly scenario: string;
  readonly strategy: string;
  readonly linux: LinuxName;
  readonly imports: readonly string[];
  readonly units: readonly WorkUnit[];
}

/** The target a task explores, as a key: the world a worker builds once and keeps for it. */
export function targetKey(task: UnitTask): string {
  return `${task.scenario}\u0000${task.strategy}\u0000${task.linux}`;
}
