import {
  type File,
  type Kernel,
  KernelObject,
  type Module,
  Mutex,
  Refcount,
  WaitQueue,
} from '@coupling-lab/kernel';
import type { KvmRef } from './kvm-ref.js';
import type { PciDeviceConfig } from './pci-device.js';
import type { VfioContainer } from './vfio-container.js';
import type { IommufdDevice } from './iommufd.js';
import type { HeldVm } from './vm-reference.js';

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
  /** The device's open fds (vfio_device->open_count; the 'file' groups count it). */
  openCount: number;
  /** dev_set->lock, held across a device's open and close ('file' groups). */
  readonly devSetLock: Mutex;
  /** The VM reference VFIO took at the first open, dropped at the last close (device->kvm). */
  heldVm: HeldVm | null;
  /** vfio_device->index: its cdev is /dev/vfio/devices/vfio<index> (v6.6 with device cdevs). */
  readonly index: number;
  /** Bound to an iommufd through its cdev (VFIO_DEVICE_BIND_IOMMUFD), or null. */
  iommufd: IommufdDevice | null;
}

/**
 * `struct vfio_group` [drivers/vfio/vfio.c v5.17, drivers/vfio/group.c v6.6]: one IOMMU group,
 * its devices, the container it is attached to, its container users (v5.17: the group fd's
 * attachment, each device fd, each external user such as KVM; v6.6: the attachment and each open
 * device), and the VM associated by set_kvm.
 */
export class VfioGroup extends KernelObject {
  readonly devices: VfioDevice[] = [];
  container: VfioContainer | null = null;
  containerUsers = 0;
  /** User fds open on the group: 0 or 1, as v5.17 allows one open at a time (see groups-v5-17). */
  opened = 0;
  /** group->opened_file (v6.6): the one open group file, until its release. */
  openedFile: File | null = null;
  /** group->cdev_device_open_cnt (v6.6): devices bound through their cdev; the group fd cannot open meanwhile. */
  cdevDeviceOpenCnt = 0;
  /** group->iommu_group is NULL (v6.6): its last driver went, and the group takes no new users. */
  removed = false;
  kvm: KvmRef | null = null;
  /** The driver module its devices are bound to (vfio_pci), or null. */
  driver: Module | null = null;
  /** VMs counted as container users through set_kvm (the v5.17-contract file API; see file-api.ts). */
  kvmUsers = 0;
  /** The group's kref: the driver's binding, open files, device fds and external users each hold one. */
  readonly refs: Refcount;
  /** container_q: a v5.17 unbind waits on it for the group to leave its container. */
  readonly containerQ: WaitQueue;
  /** group->group_lock (group_rwsem in v5.19), the 'file' groups' lock around every group ioctl. */
  readonly lock: Mutex;
  /** group->kvm_ref_lock (a spinlock in Linux), around group->kvm since 2b48f52f2bff. */
  readonly kvmRefLock: Mutex;
  /** group->device_lock, around the device list. */
  readonly deviceLock: Mutex;

  constructor(
    kernel: Kernel,
    owner: Module,
    readonly id: number,
  ) {
    super(`vfio group ${id}`, owner);
    this.refs = new Refcount(kernel, this.label, 'vfio');
    this.containerQ = new WaitQueue(kernel, `${this.label} container_q`);
    this.lock = new Mutex(kernel, 'vfio_group.group_lock', 'vfio');
    this.kvmRefLock = new Mutex(kernel, 'vfio_group.kvm_ref_lock', 'vfio');
    this.deviceLock = new Mutex(kernel, 'vfio_group.device_lock', 'vfio');
  }

  get path(): string {
    return `/dev/vfio/${this.id}`;
  }

  /** vfio_group_viable: every device in the group is bound to a VFIO driver, or being unbound from it (vfio_dev_viable). */
  get viable(): boolean {
    return this.devices.length > 0 && this.devices.every((device) => device.bound || device.unbinding);
  }

  /** v5.17: does the IOMMU enforce coherency for every device of the group (the container asks this of each group). */
  get coherent(): boolean {
    return this.devices.every((device) => device.config.coherent);
  }
}
