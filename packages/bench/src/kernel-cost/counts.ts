import { boot, countersDelta, type CouplingStrategy, DEFAULT_LINUX, type LinuxName } from '@coupling-lab/lab';
import { operation, operationNames, type OperationName } from '../operations.js';

/** What one operation does in the kernel, primitive by primitive: the vector the estimate prices. */
export interface PrimitiveCounts {
  readonly symbolLookups: number;
  /** __symbol_put runs find_symbol again before its module_put. */
  readonly symbolPuts: number;
  readonly moduleGets: number;
  readonly modulePuts: number;
  readonly directCalls: number;
  readonly indirectCalls: number;
  readonly lockAcquisitions: number;
  readonly fileGets: number;
  readonly filePuts: number;
}

/**
 * One operation's counts, and the part of them that is the coupling's reverse direction: VFIO
 * reaching KVM (v6.6's vfio_device_get_kvm_safe symbol_get()s kvm_get_kvm_safe and kvm_put_kvm,
 * calls them, pins and unpins kvm.ko). The rest is KVM reaching VFIO and the subsystems' own work.
 */
export interface DirectedCounts {
  readonly total: PrimitiveCounts;
  readonly reverse: PrimitiveCounts;
}

export const zeroCounts: PrimitiveCounts = {
  symbolLookups: 0,
  symbolPuts: 0,
  moduleGets: 0,
  modulePuts: 0,
  directCalls: 0,
  indirectCalls: 0,
  lockAcquisitions: 0,
  fileGets: 0,
  filePuts: 0,
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The primitive counts of one run of each operation, from a fresh system per operation (as
 * countedCosts), with the reverse direction told apart at the preemption points: a lookup of a
 * symbol kvm exports, the pin it took, a symbol_put's module_put of kvm, a call of a kvm export.
 */
export function primitiveCounts(
  strategy: CouplingStrategy | string,
  linux: LinuxName = DEFAULT_LINUX,
): Record<OperationName, DirectedCounts> {
  const result: Partial<Record<OperationName, DirectedCounts>> = {};
  for (const name of operationNames) {
    const sys = boot({ strategy, linux });
    const kernel = sys.kernel;
    const counters = kernel.counters;
    const op = operation(sys, name);
    op.prepare?.();
    const reverse: Mutable<PrimitiveCounts> = { ...zeroCounts };
    const files = { gets: 0, puts: 0 };
    let pinPending = -1;
    let symbolPutsSeen = counters.symbolPuts;
    const settlePin = (): void => {
      if (pinPending >= 0 && counters.moduleGets > pinPending) reverse.moduleGets += 1;
      pinPending = -1;
    };
    kernel.hook = (point, subject) => {
      settlePin();
      if (point === 'file-get') files.gets += 1;
      else if (point === 'file-put') files.puts += 1;
      else if (point === 'symbol-lookup' && kernel.symbolOwner(subject) === 'kvm') {
        reverse.symbolLookups += 1;
        pinPending = counters.moduleGets;
      } else if (point === 'module-put') {
        if (counters.symbolPuts > symbolPutsSeen && subject === 'kvm') {
          reverse.symbolPuts += 1;
          reverse.modulePuts += 1;
        }
        symbolPutsSeen = counters.symbolPuts;
      } else if (point === 'call' && kernel.symbolOwner(subject) === 'kvm') reverse.directCalls += 1;
    };
    const before = sys.counters;
    const putsBefore = counters.symbolPuts;
    op.run();
    settlePin();
    kernel.hook = undefined;
    const delta = countersDelta(before, sys.counters);
    result[name] = {
      total: {
        symbolLookups: delta.symbolLookups,
        symbolPuts: counters.symbolPuts - putsBefore,
        moduleGets: delta.moduleGets,
        modulePuts: delta.modulePuts,
        directCalls: delta.crossModuleCalls - delta.indirectCalls,
        indirectCalls: delta.indirectCalls,
        lockAcquisitions: delta.lockAcquisitions,
        fileGets: files.gets,
        filePuts: files.puts,
      },
      reverse,
    };
    op.restore?.();
  }
  return result as Record<OperationName, DirectedCounts>;
}
