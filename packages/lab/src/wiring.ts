import type { VfioExportPlan } from '@coupling-lab/vfio';
import type { LinuxVersion } from './linux.js';
import type { CouplingStrategy, Machine } from './strategy.js';

/** A function of the model's code, read as text by the cost-of-change diff (`Function.prototype.toString`). */
export type KernelCode = (...args: never[]) => unknown;

/**
 * One version of a strategy's wiring on one kernel: what vfio exports for KVM's side, and the
 * code of the KVM-side port (the functions that build it). Two versions, booted side by side,
 * are what the cost-of-change metric compares (packages/bench change-cost.ts).
 */
export interface StrategyWiring {
  readonly vfioExports: readonly VfioExportPlan[];
  readonly kvmSide: readonly KernelCode[];
}

/**
 * `linux` as it was before VFIO device cdevs (up to v6.5 for the file-based kernels): the group
 * file is the only file KVM can be given, vfio_file_is_group its check.
 */
export function groupFilesOnly(linux: LinuxVersion): LinuxVersion {
  return { ...linux, vfio: { ...linux.vfio, deviceCdev: false } };
}

/**
 * The two versions of `strategy`'s wiring for the step "group files only" -> "group and device
 * files": the strategy booted on `groupFilesOnly(linux)`, and as it is. Each is a strategy
 * boot() takes, so both are measured by running them, and `wiring` gives each one's code.
 */
export function deviceFileWiring(strategy: CouplingStrategy): {
  readonly groupsOnly: CouplingStrategy;
  readonly withDeviceFiles: CouplingStrategy;
} {
  const groupsOnly: CouplingStrategy = {
    name: `${strategy.name} (group files only)`,
    summary: strategy.summary,
    runtimeEdges: strategy.runtimeEdges,
    ...(strategy.kernels === undefined ? {} : { kernels: strategy.kernels }),
    modules: (machine: Machine) => strategy.modules({ ...machine, linux: groupFilesOnly(machine.linux) }),
    ...(strategy.wiring === undefined
      ? {}
      : { wiring: (linux: LinuxVersion) => strategy.wiring?.(groupFilesOnly(linux)) }),
  } as CouplingStrategy;
  return { groupsOnly, withDeviceFiles: strategy };
}
