import type { LockDependency } from './lockdep.js';
import type { TraceStep } from './trace.js';

/**
 * What the model's KASAN, kmemleak and lockdep report. `stale-association` is VFIO's own check (a
 * group still associated with a VM that no longer holds it); `deadlock` is a task that can never
 * be woken (asleep, or waiting for a mutex a sleeping task holds, with nothing left to run).
 */
export type ViolationKind =
  | 'use-after-free'
  | 'refcount-underflow'
  | 'leak'
  | 'dangling-reference'
  | 'stale-association'
  | 'lock-order'
  | 'recursive-lock'
  | 'deadlock';

export interface ViolationReport {
  readonly kind: ViolationKind;
  readonly module?: string;
  readonly object?: string;
  readonly message: string;
  /** For `lock-order`: lockdep's cycle, the new dependency first. */
  readonly chain?: readonly LockDependency[];
  readonly trace: readonly TraceStep[];
}

/** A violation raised from the call that caused it. Never catch and drop one: tests and the explorer rely on it. */
export class KernelViolation extends Error implements ViolationReport {
  readonly kind: ViolationKind;
  readonly module?: string;
  readonly object?: string;
  readonly chain?: readonly LockDependency[];
  readonly trace: readonly TraceStep[];

  constructor(report: ViolationReport) {
    super(`${report.kind}: ${report.message}`);
    this.name = 'KernelViolation';
    this.kind = report.kind;
    if (report.module !== undefined) this.module = report.module;
    if (report.object !== undefined) this.object = report.object;
    if (report.chain !== undefined) this.chain = report.chain;
    this.trace = report.trace;
  }

  toJSON(): ViolationReport {
    return {
      kind: this.kind,
      ...(this.module === undefined ? {} : { module: this.module }),
      ...(this.object === undefined ? {} : { object: this.object }),
      message: this.message,
      ...(this.chain === undefined ? {} : { chain: this.chain }),
      trace: this.trace,
    };
  }
}

export function isKernelViolation(error: unknown): error is KernelViolation {
  return error instanceof KernelViolation;
}
