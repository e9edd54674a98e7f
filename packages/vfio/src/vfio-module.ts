import type { ExportDecl, Kernel, Module, ModuleContext, ModuleImage } from '@coupling-lab/kernel';
import { type VfioBehaviour, vfioV517 } from './behaviour.js';
import type { VfioExportPlan } from './export-plans.js';
import type { PciDeviceConfig } from './pci-device.js';
import { VfioCore } from './vfio-core.js';
import { setVfioState } from './vfio-state.js';
import { vmReferenceBySymbolGet, type VmReferencePort } from './vm-reference.js';

/** How the vfio image is built for a kernel version. */
export interface VfioImageOptions {
  /** The version's VFIO (default v5.17's). */
  readonly behaviour?: VfioBehaviour;
  /** How VFIO takes a VM reference when the version holds one (default: Linux's symbol_get of kvm_get_kvm_safe/kvm_put_kvm). */
  readonly vmReference?: (context: ModuleContext) => VmReferencePort;
}

/** What vfio always exports for its bus drivers (vfio_pci). */
const driverExports: Record<string, ExportDecl> = {
  vfio_register_group_dev: { gpl: true },
  vfio_unregister_group_dev: { gpl: true },
};

/**
 * The `vfio` module image: the core with the type1 IOMMU backend folded in, /dev/vfio/vfio, and
 * the symbols `plans` export for KVM's side.
 */
export function vfioImage(plans: readonly VfioExportPlan[], options: VfioImageOptions = {}): ModuleImage {
  const behaviour = options.behaviour ?? vfioV517;
  const exports: Record<string, ExportDecl> = { ...driverExports };
  for (const plan of plans) Object.assign(exports, plan.exports);
  return {
    name: 'vfio',
    description: `VFIO core and type1 IOMMU backend (exports for KVM: ${plans.map((plan) => plan.name).join(', ') || 'none'})`,
    imports: [],
    exports,
    load(context) {
      const { kernel, module } = context;
      const vmReference = options.vmReference?.(context) ?? vmReferenceBySymbolGet(kernel);
      const core = new VfioCore(kernel, module, behaviour, vmReference);
      const symbols: Record<string, unknown> = {
        vfio_register_group_dev: (config: PciDeviceConfig) => core.registerGroupDev(config, driverOf(kernel)),
        vfio_unregister_group_dev: (config: PciDeviceConfig) => core.unregisterGroupDev(config),
      };
      for (const plan of plans) Object.assign(symbols, plan.values(core));
      return {
        symbols,
        init() {
          kernel.registerChrdev('/dev/vfio/vfio', core.containerFops);
          if (core.deviceCdev) kernel.registerChrdev('/dev/iommu', core.iommufdFops);
          setVfioState(kernel, core);
          return 0;
        },
        exit() {
          kernel.unregisterChrdev('/dev/vfio/vfio');
          if (core.deviceCdev) kernel.unregisterChrdev('/dev/iommu');
          // vfio_cleanup's WARN: a group still referenced from outside outlives the module.
          for (const group of core.groups.values()) {
            kernel.violation(
              'dangling-reference',
              `vfio exits while ${group.label} is still referenced (${group.refs.count})`,
              {
                module: 'vfio',
                object: group.label,
              },
            );
            group.refs.retire();
          }
          setVfioState(kernel, undefined);
        },
      };
    },
  };
}

/** Group devices are bound by vfio_pci, the only bus driver modelled. */
function driverOf(kernel: Kernel): Module | null {
  return kernel.findModule('vfio_pci') ?? null;
}
