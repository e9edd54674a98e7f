import { LockDep, type LockDependency } from '@coupling-lab/kernel';

/**
 * lockdep's graph, remembering which schedule first took each dependency. A cycle may combine
 * dependencies taken in earlier schedules with the one taken now; to replay it, the verdict
 * names those earlier schedules (the witnesses) too.
 */
export class TrackedLockDep extends LockDep {
  /** Ordinal of the running schedule. */
  schedule = 0;
  /** Whether the running schedule took a dependency no earlier schedule had. */
  newOrders = false;

  /** Every new dependency in the order it was first taken, with that schedule's ordinal. */
  readonly log: { readonly held: string; readonly taken: string; readonly schedule: number }[] = [];

  private readonly firstTakenIn = new Map<string, number>();

  begin(schedule: number): void {
    this.schedule = schedule;
    this.newOrders = false;
  }

  /** The schedule that first took `dependency`. */
  takenIn(dependency: LockDependency): number {
    return this.firstTakenIn.get(key(dependency.held, dependency.taken)) ?? this.schedule;
  }

  protected override added(held: string, taken: string): void {
    this.firstTakenIn.set(key(held, taken), this.schedule);
    this.log.push({ held, taken, schedule: this.schedule });
    this.newOrders = true;
  }
}

const key = (held: string, taken: string): string => `${held}\u0000${taken}`;
