import { KernelObject, type Module, type Refcount, type WaitQueue } from '@coupling-lab/kernel';
import type { KvmRef } from './kvm-ref.js';
import type { PciDeviceConfig } from './pci-device.js';
import type { VfioContainer } from './vfio-container.js';

/** A PCI device as VFIO sees it. */
export interface VfioDevice {
  readonly config: PciDeviceConfig;
  /** Registered with VFIO by its driver (on the group's device_list): GET_DEVICE_FD finds it by name. */
  bound: boolean;
  /**
   * Being unbound (v5.17's unbound_list, vfio_unregister_group_dev): no longer findable, but the
   * group stays viable until the unbind completes.
   */
  unbinding: boolean;
}

/**
 * `struct vfio_group` [drivers/vfio/vfio.c v5.17]: one IOMMU group, its devices, the container
 * it is attached to, its container users (the group fd's attachment, each device fd, each
 * external user such as KVM), and the VM associated by set_kvm.
 */
export class VfioGroup extends KernelObject {
  readonly devices: VfioDevice[] = [];
  container: VfioContainer | null = null;
  containerUsers = 0;
  /** User fds open on the group: 0 or 1, as v5.17 allows one open at a time (see group-fops). */
  opened = 0;
  kvm: KvmRef | null = null;
  /** The driver module its devices are bound to (vfio_pci), or null. */
  driver: Module | null = null;
  /** VMs counted as container users through set_kvm (the file-based API; see file-api.ts). */
  kvmUsers = 0;

  constructor(
    owner: Module,
    readonly id: number,
    /** The group's kref: the driver's binding, open files, device fds and external users each hold one. */
    readonly refs: Refcount,
    /** container_q: an unbind waits on it for the group to leave its container. */
    readonly containerQ: WaitQueue,
  ) {
    super(`vfio group ${id}`, owner);
  }

  get path(): string {
    return `/dev/vfio/${this.id}`;
  }

  /** vfio_group_viable: every device in the group is bound to a VFIO driver, or being unbound from it (vfio_dev_viable). */
  get viable(): boolean {
    return this.devices.length > 0 && this.devices.every((device) => device.bound || device.unbinding);
  }

  get coherent(): boolean {
    return this.devices.every((device) => device.config.coherent);
  }
}
