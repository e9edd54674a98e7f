import { LockDep } from '@coupling-lab/kernel';

/**
 * lockdep's graph, remembering which schedule first took each order. An inversion may combine an
 * order taken in an earlier schedule with the reverse one now; to replay it, the verdict names that
 * earlier schedule (the witness) too.
 */
export class TrackedLockDep extends LockDep {
  /** Ordinal of the running schedule. */
  schedule = 0;
  /** Whether the running schedule took an order no earlier schedule had. */
  newOrders = false;
  /** For the running schedule's first inversion: the schedule that took the reverse order, else -1. */
  inversionWitness = -1;

  private readonly firstTakenIn = new Map<string, Map<string, number>>();

  begin(schedule: number): void {
    this.schedule = schedule;
    this.newOrders = false;
    this.inversionWitness = -1;
  }

  override record(held: string, taken: string): boolean {
    let takens = this.firstTakenIn.get(held);
    if (takens === undefined) {
      takens = new Map();
      this.firstTakenIn.set(held, takens);
    }
    if (!takens.has(taken)) {
      takens.set(taken, this.schedule);
      this.newOrders = true;
    }
    const inverted = super.record(held, taken);
    if (inverted && this.inversionWitness < 0) {
      this.inversionWitness = this.firstTakenIn.get(taken)?.get(held) ?? this.schedule;
    }
    return inverted;
  }
}
