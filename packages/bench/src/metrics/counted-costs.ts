import { boot, type CounterSnapshot, countersDelta, type CouplingStrategy } from '@coupling-lab/lab';
import { operation, operationNames, type OperationName } from '../operations.js';

export type CountedCosts = Record<OperationName, CounterSnapshot>;

/** The kernel counters one run of each operation moves, from a fresh system per operation. Deterministic. */
export function countedCosts(strategy: CouplingStrategy | string): CountedCosts {
  const costs: Partial<CountedCosts> = {};
  for (const name of operationNames) {
    const sys = boot({ strategy });
    const op = operation(sys, name);
    op.prepare?.();
    const before = sys.counters;
    op.run();
    costs[name] = countersDelta(before, sys.counters);
    op.restore?.();
  }
  return costs as CountedCosts;
}
