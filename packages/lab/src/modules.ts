import type { ModuleImage } from '@coupling-lab/kernel';
import { kvmImage, type KvmImageOptions } from '@coupling-lab/kvm';
import { type VfioExportPlan, vfioImage, vfioPciImage } from '@coupling-lab/vfio';
import type { Machine } from './strategy.js';

export interface StandardModules {
  /** How this strategy builds kvm. */
  readonly kvm: KvmImageOptions;
  /** What vfio exports for KVM's side. */
  readonly vfioExports: readonly VfioExportPlan[];
  /** Glue modules the strategy adds (register-ops' kvm_vfio), loaded last. */
  readonly extra?: readonly ModuleImage[];
}

/** The usual module set: vfio, vfio_pci and kvm as the strategy configures them, then any glue. */
export function standardModules(machine: Machine, config: StandardModules): ModuleImage[] {
  return [
    vfioImage(config.vfioExports),
    vfioPciImage(machine.devices),
    kvmImage(config.kvm),
    ...(config.extra ?? []),
  ];
}
