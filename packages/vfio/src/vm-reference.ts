import type { Kernel } from '@coupling-lab/kernel';
import type { KvmRef } from './kvm-ref.js';

/** A VM reference VFIO holds for an open device: the VM and how to let it go (device->kvm, device->put_kvm). */
export interface HeldVm {
  readonly kvm: KvmRef;
  put(): void;
  /**
   * What the device's driver does with device->kvm in its open_device, after the reference is
   * taken and kvm_ref_lock dropped, still under group_lock and dev_set->lock (vfio-ap's
   * vfio_ap_mdev_set_kvm takes kvm->lock there). Absent: the driver does not use the VM.
   */
  openDevice?(): void;
}

/**
 * How VFIO takes a reference on a VM (the reverse direction of the coupling): null when the VM
 * is already going away or KVM cannot be reached. A strategy supplies it.
 */
export interface VmReferencePort {
  get(kvm: KvmRef): HeldVm | null;
}

export type KvmGetKvmSafe = (kvm: KvmRef) => boolean;
export type KvmPutKvm = (kvm: KvmRef) => void;

/**
 * What Linux ships since 2b48f52f2bff (v6.3; vfio_main.c vfio_device_get_kvm_safe): symbol_get
 * kvm_put_kvm and kvm_get_kvm_safe, take the reference, symbol_put kvm_get_kvm_safe at once and
 * keep kvm_put_kvm (and so a reference on kvm.ko) until the put.
 */
export function vmReferenceBySymbolGet(kernel: Kernel): VmReferencePort {
  return {
    get(kvm) {
      const put = kernel.symbolGet<KvmPutKvm>('kvm_put_kvm');
      if (put === null) return null;
      const get = kernel.symbolGet<KvmGetKvmSafe>('kvm_get_kvm_safe');
      if (get === null) {
        kernel.symbolPut('kvm_put_kvm');
        return null;
      }
      const taken = get(kvm);
      kernel.symbolPut('kvm_get_kvm_safe');
      if (!taken) {
        kernel.symbolPut('kvm_put_kvm');
        return null;
      }
      return {
        kvm,
        put() {
          put(kvm);
          kernel.symbolPut('kvm_put_kvm');
        },
      };
    },
  };
}
