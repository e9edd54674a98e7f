import type { ModuleContext, ModuleImage } from '@coupling-lab/kernel';
import { kvmImage, type KvmImageOptions } from '@coupling-lab/kvm';
import { type VfioExportPlan, vfioImage, vfioPciImage, type VmReferencePort } from '@coupling-lab/vfio';
import type { Machine } from './strategy.js';

export interface StandardModules {
  /** How this strategy builds kvm. */
  readonly kvm: KvmImageOptions;
  /** What vfio exports for KVM's side. */
  readonly vfioExports: readonly VfioExportPlan[];
  /** How VFIO takes a VM reference on a kernel where it holds one (default: Linux's symbol_get). */
  readonly vmReference?: (context: ModuleContext) => VmReferencePort;
  /** Glue modules the strategy adds (register-ops' kvm_vfio), loaded last. */
  readonly extra?: readonly ModuleImage[];
}

/** The usual module set for `machine.linux`: vfio, vfio_pci and kvm as the strategy configures them, then any glue. */
export function standardModules(machine: Machine, config: StandardModules): ModuleImage[] {
  const { linux } = machine;
  return [
    vfioImage(config.vfioExports, {
      behaviour: linux.vfio,
      ...(config.vmReference === undefined ? {} : { vmReference: config.vmReference }),
    }),
    vfioPciImage(machine.devices),
    kvmImage({ exportVmReference: linux.kvmExportsVmReference, ...config.kvm }),
    ...(config.extra ?? []),
  ];
}
