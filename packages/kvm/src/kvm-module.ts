import type { ExportDecl, ModuleContext, ModuleImage } from '@coupling-lab/kernel';
import type { DeviceOpsPinning } from './device-ops-table.js';
import { KvmCore } from './kvm-core.js';
import type { KvmDeviceOps } from './kvm-device.js';
import { setKvmState } from './kvm-state.js';
import { KVM } from './uapi.js';

/** How a strategy builds the kvm module. */
export interface KvmImageOptions {
  /** Symbols kvm resolves at load: a hard dependency (the direct strategy). */
  readonly imports?: readonly string[];
  /** Export kvm_register_device_ops / kvm_unregister_device_ops (GPL) for another module (register-ops). */
  readonly exportDeviceOps?: boolean;
  /** The kvm-vfio device built into kvm (kvm_vfio_ops_init), made at load; absent when another module registers it. */
  readonly builtinVfioDevice?: (context: ModuleContext) => KvmDeviceOps;
  readonly deviceOpsPinning?: DeviceOpsPinning;
}

export type RegisterDeviceOps = (ops: KvmDeviceOps, type: number) => number;
export type UnregisterDeviceOps = (type: number) => void;

/** The `kvm` module image: /dev/kvm, VMs, the device API, and (for most strategies) the kvm-vfio device. */
export function kvmImage(options: KvmImageOptions = {}): ModuleImage {
  const exports: Record<string, ExportDecl> = options.exportDeviceOps
    ? { kvm_register_device_ops: { gpl: true }, kvm_unregister_device_ops: { gpl: true } }
    : {};
  return {
    name: 'kvm',
    description: 'Kernel-based Virtual Machine',
    imports: options.imports ?? [],
    exports,
    load(context) {
      const { kernel, module } = context;
      const core = new KvmCore(kernel, module, options.deviceOpsPinning ?? 'none');
      const builtin = options.builtinVfioDevice?.(context);
      const symbols: Record<string, unknown> = options.exportDeviceOps
        ? {
            kvm_register_device_ops: ((ops, type) =>
              core.deviceOps.register(ops, type)) satisfies RegisterDeviceOps,
            kvm_unregister_device_ops: ((type) =>
              core.deviceOps.unregister(type)) satisfies UnregisterDeviceOps,
          }
        : {};
      return {
        symbols,
        init() {
          if (builtin !== undefined) {
            const registered = core.deviceOps.register(builtin, KVM.DEV_TYPE_VFIO);
            if (registered < 0) return registered;
          }
          kernel.registerChrdev('/dev/kvm', core.devKvmFops);
          setKvmState(kernel, core);
          return 0;
        },
        exit() {
          kernel.unregisterChrdev('/dev/kvm');
          if (builtin !== undefined) core.deviceOps.unregister(KVM.DEV_TYPE_VFIO);
          setKvmState(kernel, undefined);
        },
      };
    },
  };
}
