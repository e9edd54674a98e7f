import type { ModuleImage } from '@coupling-lab/kernel';
import type { PciDeviceConfig } from '@coupling-lab/vfio';
import { DEFAULT_LINUX, type LinuxName, type LinuxVersion } from './linux.js';
import type { StrategyWiring } from './wiring.js';

/** The machine a system boots: its PCI devices and its kernel version. */
export interface Machine {
  readonly devices: readonly PciDeviceConfig[];
  readonly linux: LinuxVersion;
}

/** How one module reaches another, for graphs: a direct import, a run-time symbol_get, or an ops registration. */
export interface CouplingEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'hard' | 'symbol_get' | 'registers';
}

/**
 * A way of coupling KVM and VFIO. A strategy only decides how the KVM-side port reaches VFIO
 * and which module images exist; the kvm-vfio device's rules live once, in @coupling-lab/kvm.
 */
export interface CouplingStrategy {
  readonly name: string;
  /** One line: what it is. */
  readonly summary: string;
  /** For a race-catalogue variant: the strategy it is, and its one documented difference. */
  readonly variant?: { readonly of: string; readonly difference: string };
  /** Run-time edges beyond the direct imports the images declare (symbol_get, registration). */
  readonly runtimeEdges: readonly CouplingEdge[];
  /**
   * The kernels it runs on (`true`) and, for one it does not, why (symbol-get on v6.6: its six
   * functions were removed in v5.19). Absent, or a kernel not listed: v5.17 only.
   */
  readonly kernels?: Readonly<Partial<Record<LinuxName, true | string>>>;
  /**
   * Every bit of state its modules keep lives in objects reachable from the booted system (class
   * fields, Maps and Sets, the kernel's module globals), none only in a closure's variables: the
   * explorer may then boot and set up once and start every schedule from a checkpoint of that
   * system (lab's checkpoint.ts), which can only put back what it can reach. Absent or false, it
   * boots afresh for every schedule. A subclass whose modules keep closure state must set it false.
   */
  readonly checkpointable?: boolean;
  /** Every module image of this strategy's system (kvm, vfio, vfio_pci, and any glue), in load order, for `machine.linux`. */
  modules(machine: Machine): readonly ModuleImage[];
  /**
   * Its wiring on `linux` (vfio's exports for KVM, the KVM-side port's code), for the cost-of-change
   * metric. Optional: a strategy without it is measured by running it only.
   */
  wiring?(linux: LinuxVersion): StrategyWiring;
}

export function isVariant(strategy: CouplingStrategy): boolean {
  return strategy.variant !== undefined;
}

/** Whether `strategy` runs on `linux`: true, or the reason it does not. */
export function runsOn(strategy: CouplingStrategy, linux: LinuxName): true | string {
  const declared = strategy.kernels?.[linux];
  if (declared !== undefined) return declared;
  if (strategy.kernels === undefined && linux === DEFAULT_LINUX) return true;
  return `${strategy.name} declares no support for ${linux} (a strategy lists the kernels it runs on in \`kernels\`)`;
}

/** The kernels `strategy` runs on. */
export function kernelsOf(strategy: CouplingStrategy, all: readonly LinuxName[]): LinuxName[] {
  return all.filter((linux) => runsOn(strategy, linux) === true);
}
