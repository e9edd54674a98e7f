import type { PreemptionPoint } from './preemption.js';

/** One step of a run: which thread did what, at which kernel primitive. */
export interface TraceStep {
  readonly thread: number;
  readonly point: PreemptionPoint | 'syscall';
  readonly subject: string;
}

/**
 * Records the last `limit` steps while attached; the kernel costs one branch per primitive when
 * it is not. A ring of three columns rather than an array of step objects: the explorer records
 * every preemption point of every schedule and reads the trace only for a violation's tail.
 */
export class Tracer {
  private readonly threads: number[] = [];
  private readonly points: (PreemptionPoint | 'syscall')[] = [];
  private readonly subjects: string[] = [];
  /** Where the oldest step kept is, and how many are kept. */
  private oldest = 0;
  private count = 0;

  constructor(private readonly limit = 10_000) {}

  record(step: TraceStep): void {
    this.note(step.thread, step.point, step.subject);
  }

  /** `record` without a step object to build. */
  note(thread: number, point: PreemptionPoint | 'syscall', subject: string): void {
    let at = this.oldest + this.count;
    if (at >= this.limit) at -= this.limit;
    this.threads[at] = thread;
    this.points[at] = point;
    this.subjects[at] = subject;
    if (this.count < this.limit) this.count++;
    else if (++this.oldest === this.limit) this.oldest = 0;
  }

  /** Every step kept, oldest first. */
  get steps(): TraceStep[] {
    return this.tail(this.count);
  }

  /** The last `count` steps, oldest first. */
  tail(count: number): TraceStep[] {
    const kept = Math.max(0, Math.min(count, this.count));
    const steps: TraceStep[] = [];
    for (let i = this.count - kept; i < this.count; i++) {
      let at = this.oldest + i;
      if (at >= this.limit) at -= this.limit;
      steps.push({
        thread: this.threads[at] ?? 0,
        point: this.points[at] ?? 'syscall',
        subject: this.subjects[at] ?? '',
      });
    }
    return steps;
  }

  /** Forgets every step (a new run starts). */
  clear(): void {
    this.oldest = 0;
    this.count = 0;
  }
}
