import {
  boot,
  type CounterSnapshot,
  countersDelta,
  type CouplingStrategy,
  DEFAULT_LINUX,
  type LinuxName,
} from '@coupling-lab/lab';
import { operation, operationNames, type OperationName } from '../operations.js';

export type CountedCosts = Record<OperationName, CounterSnapshot>;

/**
 * The kernel counters one run of each operation moves, from a fresh system per operation, on one
 * kernel. Deterministic. On v6.6 the lookups include VFIO's of KVM (kvm_get_kvm_safe, kvm_put_kvm).
 */
export function countedCosts(
  strategy: CouplingStrategy | string,
  linux: LinuxName = DEFAULT_LINUX,
): CountedCosts {
  const costs: Partial<CountedCosts> = {};
  for (const name of operationNames) {
    const sys = boot({ strategy, linux });
    const op = operation(sys, name);
    op.prepare?.();
    const before = sys.counters;
    op.run();
    costs[name] = countersDelta(before, sys.counters);
    op.restore?.();
  }
  return costs as CountedCosts;
}
