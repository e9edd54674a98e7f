import { KernelObject, type Mutex } from '@coupling-lab/kernel';
import type { KvmDevice } from './kvm-device.js';

/**
 * `struct kvm`: one VM. It lives while its fd or any of its device fds is open (users_count);
 * destroying it destroys its devices [virt/kvm/kvm_main.c kvm_destroy_vm].
 */
export class Vm extends KernelObject {
  users = 1;
  readonly devices: KvmDevice[] = [];
  /** kvm_arch_start_assignment / kvm_arch_end_assignment. */
  assignedDevices = 0;
  /** kvm_arch_register_noncoherent_dma / kvm_arch_unregister_noncoherent_dma (an atomic count in Linux). */
  noncoherentDma = 0;

  constructor(
    readonly id: number,
    /** kvm->lock, held around a device's create. */
    readonly lock: Mutex,
  ) {
    super(`kvm vm ${id}`, null);
  }
}
