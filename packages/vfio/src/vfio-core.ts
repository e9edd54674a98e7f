import {
  errno,
  type File,
  type FileOperations,
  type Kernel,
  type MaySleep,
  type Module,
  Refcount,
  waitEvent,
  WaitQueue,
} from '@coupling-lab/kernel';
import { containerFops } from './container-fops.js';
import { groupFops } from './group-fops.js';
import type { PciDeviceConfig } from './pci-device.js';
import { deviceFops } from './device-fops.js';
import { VfioContainer } from './vfio-container.js';
import { type VfioDevice, VfioGroup } from './vfio-group.js';

/**
 * The vfio core module's data [drivers/vfio/vfio.c v5.17]: its groups and containers, its three
 * file types, and the group/container bookkeeping every entry point shares.
 */
export class VfioCore {
  readonly groups = new Map<number, VfioGroup>();
  readonly containerFops: FileOperations;
  readonly groupFops: FileOperations;
  readonly deviceFops: FileOperations;
  private nextContainerId = 1;

  constructor(
    readonly kernel: Kernel,
    readonly module: Module,
  ) {
    this.containerFops = containerFops(this);
    this.groupFops = groupFops(this);
    this.deviceFops = deviceFops(this);
  }

  newContainer(): VfioContainer {
    return new VfioContainer(this.module, this.nextContainerId++);
  }

  /** vfio_register_group_dev: a driver binds a device; its group (and /dev/vfio/<id>) appears with the first one. */
  registerGroupDev(config: PciDeviceConfig, driver: Module | null): void {
    let group = this.groups.get(config.iommuGroup);
    if (group === undefined) {
      const label = `vfio group ${config.iommuGroup}`;
      group = new VfioGroup(
        this.module,
        config.iommuGroup,
        new Refcount(this.kernel, label, 'vfio'),
        new WaitQueue(this.kernel, `${label} container_q`),
      );
      this.groups.set(group.id, group);
    }
    // The binding holds one group reference while any device is bound, also when a driver rebinds a group an open file kept.
    if (!group.devices.some((device) => device.bound)) group.refs.get();
    let device = group.devices.find((candidate) => candidate.config.address === config.address);
    if (device === undefined) {
      device = { config, bound: false, unbinding: false };
      group.devices.push(device);
    }
    device.bound = true;
    group.driver = driver;
    if (!this.kernel.devicePaths().includes(group.path))
      this.kernel.registerChrdev(group.path, this.groupFops);
  }

  /**
   * vfio_unregister_group_dev [drivers/vfio/vfio.c v5.17]: the device goes on the unbound_list
   * (the group stays viable), leaves the group's device_list (GET_DEVICE_FD no longer finds it),
   * and, when it was the group's last device, waits on container_q until the group has left its
   * container: `rmmod vfio_pci` sleeps, with vfio_pci GOING, until the group's users let go.
   * (It first waits for the device's open fds, but those pin vfio_pci, so rmmod never gets here
   * with one open.) Then the group reference of the binding is dropped.
   */
  unregisterGroupDev(config: PciDeviceConfig): MaySleep<void> {
    const group = this.groups.get(config.iommuGroup);
    const device = group?.devices.find((candidate) => candidate.config.address === config.address);
    if (group === undefined || device === undefined || !device.bound) return undefined;
    device.unbinding = true;
    device.bound = false;
    if (group.devices.some((candidate) => candidate.bound)) return this.unbound(device);
    return waitEvent(
      group.containerQ,
      () => group.container === null,
      () => {
        this.unbound(device);
        this.kernel.unregisterChrdev(group.path);
        group.driver = null;
        this.groupPut(group);
      },
    );
  }

  /** The driver core's BUS_NOTIFY_UNBOUND_DRIVER: the device leaves the unbound_list. */
  private unbound(device: VfioDevice): void {
    device.unbinding = false;
  }

  groupGet(group: VfioGroup): void {
    this.kernel.touch(group);
    group.refs.get();
  }

  /** vfio_group_put: the last reference frees the group. */
  groupPut(group: VfioGroup): void {
    this.kernel.touch(group);
    if (!group.refs.put()) return;
    this.groups.delete(group.id);
    group.refs.retire();
    this.kernel.kfree(group);
  }

  /** Is `file` a group file (f_op == &vfio_group_fops), and which group; dereferencing the file is checked. */
  groupOfFile(file: File): VfioGroup | undefined {
    this.kernel.touch(file);
    return file.fops === this.groupFops ? (file.privateData as VfioGroup) : undefined;
  }

  /**
   * The external-user checks of vfio_group_get_external_user: a group with a container and an
   * IOMMU driver set, and viable (-EINVAL otherwise).
   */
  checkExternalUser(group: VfioGroup): number {
    this.kernel.touch(group);
    if (group.container === null || group.container.iommuType === null || !group.viable) return -errno.EINVAL;
    return 0;
  }

  /** __vfio_group_unset_container: detach from the container; the last group out unsets its IOMMU. */
  unsetContainer(group: VfioGroup): void {
    const container = group.container;
    if (container === null) return;
    container.groups.delete(group);
    if (container.groups.size === 0) container.iommuType = null;
    group.container = null;
    group.containerUsers = 0;
    group.containerQ.wakeUp();
  }

  /** vfio_group_try_dissolve_container: drop one container user; the last one detaches the group. */
  tryDissolveContainer(group: VfioGroup): void {
    if (group.containerUsers === 0) return;
    group.containerUsers -= 1;
    if (group.containerUsers === 0) this.unsetContainer(group);
  }
}
