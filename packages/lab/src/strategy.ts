import type { ModuleImage } from '@coupling-lab/kernel';
import type { PciDeviceConfig } from '@coupling-lab/vfio';

/** The machine a system boots: its PCI devices. */
export interface Machine {
  readonly devices: readonly PciDeviceConfig[];
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
  /** Every module image of this strategy's system (kvm, vfio, vfio_pci, and any glue), in load order. */
  modules(machine: Machine): readonly ModuleImage[];
}

export function isVariant(strategy: CouplingStrategy): boolean {
  return strategy.variant !== undefined;
}
