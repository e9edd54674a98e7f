import { KernelObject, type Module, type Process } from '@coupling-lab/kernel';
import type { KvmDeviceAttr } from './uapi.js';
import type { Vm } from './vm.js';

/**
 * `struct kvm_device_ops` [include/linux/kvm_host.h]. Linux's has no `owner`; the model adds an
 * optional one for the register-ops strategy, where the ops live in another module.
 */
export interface KvmDeviceOps {
  readonly name: string;
  readonly owner?: Module | null;
  create(dev: KvmDevice, type: number): number;
  init?(dev: KvmDevice): void;
  /** Called at VM teardown for a device still on the VM's list (kvm_destroy_devices). */
  destroy?(dev: KvmDevice): void;
  /** Called when the device's fd is released, under kvm->lock (kvm_device_release); such ops need no destroy. */
  release?(dev: KvmDevice): void;
  set_attr?(dev: KvmDevice, attr: KvmDeviceAttr, current: Process): number;
  get_attr?(dev: KvmDevice, attr: KvmDeviceAttr, current: Process): number;
  has_attr?(dev: KvmDevice, attr: KvmDeviceAttr, current: Process): number;
  ioctl?(dev: KvmDevice, request: number, arg: number): number;
}

/** `struct kvm_device`: allocated by KVM_CREATE_DEVICE, freed by the ops' destroy. */
export class KvmDevice extends KernelObject {
  private: unknown = undefined;
  /** The owner reference KVM took for these ops, dropped after destroy. */
  pinnedOwner: Module | null = null;

  constructor(
    readonly ops: KvmDeviceOps,
    readonly kvm: Vm,
  ) {
    super(`kvm device ${ops.name}`, null);
  }
}
