import { boot, isKernelViolation, type LinuxName, type ViolationKind } from '@coupling-lab/lab';
import type { ConformanceCase } from './case.js';
import type { StrategyRef } from './strategy-ref.js';

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed: the assertion's message, or the violation (its kind first). */
  readonly error?: string;
  /** The kind of the first KernelViolation, when that is what failed the case. */
  readonly violation?: ViolationKind;
}

export interface ConformanceResult {
  readonly strategy: string;
  readonly passed: number;
  readonly failed: number;
  readonly cases: readonly CaseResult[];
}

export interface ConformanceOptions {
  /** Only the cases whose name contains this text (default: every case). */
  readonly filter?: string;
  /** The cases to run (default: `conformanceCases`). */
  readonly cases?: readonly ConformanceCase[];
  /** The kernel each case boots (default v5.17). */
  readonly linux?: LinuxName;
}

function failure(name: string, error: unknown, phase: string): CaseResult {
  if (isKernelViolation(error)) {
    return { name, ok: false, error: `${error.message} (${phase})`, violation: error.kind };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name, ok: false, error: `${message} (${phase})` };
}

/**
 * Runs one case on a fresh system, then tears it down and requires what every strategy must
 * leave behind: every module unloaded, no violation recorded, no reference left (kmemleak's
 * check in `teardown`). A KernelViolation anywhere fails the case with its kind in the error.
 */
export function runCase(
  strategy: StrategyRef,
  conformanceCase: ConformanceCase,
  linux: LinuxName = 'v5.17',
): CaseResult {
  const name = conformanceCase.name;
  const sys = boot({ strategy, linux });
  try {
    conformanceCase.run(sys);
  } catch (error) {
    return failure(name, error, 'in the case');
  }
  let stuck: string[];
  try {
    stuck = sys.teardown();
  } catch (error) {
    return failure(name, error, 'at teardown');
  }
  if (stuck.length > 0)
    return { name, ok: false, error: `teardown left modules loaded: ${stuck.join(', ')}` };
  const snapshot = sys.inspect();
  const [first] = snapshot.violations;
  if (first !== undefined) {
    return { name, ok: false, error: `${first.message} (recorded)`, violation: first.kind };
  }
  const held = snapshot.modules.filter((module) => module.refcount !== 0).map((module) => module.name);
  if (held.length > 0)
    return { name, ok: false, error: `refcounts not zero after teardown: ${held.join(', ')}` };
  const files = sys.kernel.openFiles().length;
  if (files > 0) return { name, ok: false, error: `${files} file(s) still open after teardown` };
  return { name, ok: true };
}
