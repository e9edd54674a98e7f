import type { System } from '@coupling-lab/lab';

/**
 * One conformance check. `run` gets a freshly booted system with nothing loaded, loads what it
 * needs (usually `sys.modprobeAll()`), and fails by throwing (node:assert/strict, or a
 * KernelViolation raised by the model). It asserts only what SPEC 8 says every strategy agrees
 * on: syscall results, `inspect().vms` and `inspect().groups[].kvm`.
 */
export interface ConformanceCase {
  readonly name: string;
  run(sys: System): void;
}
