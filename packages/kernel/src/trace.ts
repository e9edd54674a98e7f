import type { PreemptionPoint } from './preemption.js';

/** One step of a run: which thread did what, at which kernel primitive. */
export interface TraceStep {
  readonly thread: number;
  readonly point: PreemptionPoint | 'syscall';
  readonly subject: string;
}

/** Records steps while attached; the kernel costs one branch per primitive when it is not. */
export class Tracer {
  readonly steps: TraceStep[] = [];

  constructor(private readonly limit = 10_000) {}

  record(step: TraceStep): void {
    if (this.steps.length >= this.limit) this.steps.shift();
    this.steps.push(step);
  }

  tail(count: number): TraceStep[] {
    return this.steps.slice(-count);
  }
}
