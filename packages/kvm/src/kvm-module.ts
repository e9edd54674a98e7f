import type { ExportDecl, ModuleContext, ModuleImage } from '@coupling-lab/kernel';
import type { DeviceOpsPinning } from './device-ops-table.js';
import { KvmCore } from './kvm-core.js';
import type { KvmDeviceOps } from './kvm-device.js';
import { setKvmState } from './kvm-state.js';
import { KVM } from './uapi.js';
import type { Vm } from './vm.js';

/** How a strategy builds the kvm module. */
export interface KvmImageOptions {
  /** Symbols kvm resolves at load: a hard dependency (the direct strategy). */
  readonly imports?: readonly string[];
  /** Export kvm_register_device_ops / kvm_unregister_device_ops (GPL) for another module (register-ops). */
  readonly exportDeviceOps?: boolean;
  /** The kvm-vfio device built into kvm (kvm_vfio_ops_init), made at load; absent when another module registers it. */
  readonly builtinVfioDevice?: (context: ModuleContext) => KvmDeviceOps;
  readonly deviceOpsPinning?: DeviceOpsPinning;
  /**
   * Export kvm_get_kvm_safe and kvm_put_kvm (GPL), as Linux does for VFIO's reference on the VM
   * (virt/kvm/kvm_main.c; used through symbol_get since 2b48f52f2bff).
   */
  readonly exportVmReference?: boolean;
}

export type RegisterDeviceOps = (ops: KvmDeviceOps, type: number) => number;
export type UnregisterDeviceOps = (type: number) => void;

/** The `kvm` module image: /dev/kvm, VMs, the device API, and (for most strategies) the kvm-vfio device. */
export function kvmImage(options: KvmImageOptions = {}): ModuleImage {
  const exports: Record<string, ExportDecl> = {
    ...(options.exportDeviceOps === true
      ? { kvm_register_device_ops: { gpl: true }, kvm_unregister_device_ops: { gpl: true } }
      : {}),
    ...(options.exportVmReference === true
      ? { kvm_get_kvm_safe: { gpl: true }, kvm_put_kvm: { gpl: true } }
      : {}),
  };
  return {
    name: 'kvm',
    description: 'Kernel-based Virtual Machine',
    imports: options.imports ?? [],
    exports,
    load(context) {
      const { kernel, module } = context;
      const core = new KvmCore(kernel, module, options.deviceOpsPinning ?? 'none');
      const builtin = options.builtinVfioDevice?.(context);
      const symbols: Record<string, unknown> = {
        // Stryker disable next-line ConditionalExpression: only the symbols `exports` declares are published (publishExports), so an undeclared value is unreachable
        ...(options.exportDeviceOps === true
          ? {
              kvm_register_device_ops: ((ops, type) =>
                core.deviceOps.register(ops, type)) satisfies RegisterDeviceOps,
              kvm_unregister_device_ops: ((type) =>
                core.deviceOps.unregister(type)) satisfies UnregisterDeviceOps,
            }
          : {}),
        // Stryker disable next-line ConditionalExpression: only the symbols `exports` declares are published (publishExports), so an undeclared value is unreachable
        ...(options.exportVmReference === true
          ? {
              kvm_get_kvm_safe: (vm: Vm): boolean => core.getVmSafe(vm),
              kvm_put_kvm: (vm: Vm): void => core.putVm(vm),
            }
          : {}),
      };
      return {
        symbols,
        init() {
          // Stryker disable next-line ConditionalExpression: registering undefined leaves the slot as empty as not registering at all
          if (builtin !== undefined) {
            const registered = core.deviceOps.register(builtin, KVM.DEV_TYPE_VFIO);
            // Stryker disable next-line ConditionalExpression: this load's table is new and empty, so kvm_vfio_ops_init cannot fail here
            if (registered < 0) return registered;
          }
          kernel.registerChrdev('/dev/kvm', core.devKvmFops);
          setKvmState(kernel, core);
          return 0;
        },
        exit() {
          kernel.unregisterChrdev('/dev/kvm');
          // Stryker disable next-line ConditionalExpression,EqualityOperator: the table dies with this load's KvmCore: /dev/kvm is gone, no VM fd can be open (each pins kvm) and a registering module is unloaded first (its use edge)
          if (builtin !== undefined) core.deviceOps.unregister(KVM.DEV_TYPE_VFIO);
          setKvmState(kernel, undefined);
        },
      };
    },
  };
}
