import {
  errno,
  type File,
  type FileOperations,
  type Kernel,
  type Module,
  Refcount,
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
      group = new VfioGroup(
        this.module,
        config.iommuGroup,
        new Refcount(this.kernel, `vfio group ${config.iommuGroup}`, 'vfio'),
      );
      this.groups.set(group.id, group);
    }
    // The binding holds one group reference while any device is bound, also when a driver rebinds a group an open file kept.
    if (!group.devices.some((device) => device.bound)) group.refs.get();
    if (!group.devices.some((device) => device.config.address === config.address)) {
      group.devices.push({ config, bound: false });
    }
    const device = group.devices.find(
      (candidate) => candidate.config.address === config.address,
    ) as VfioDevice;
    device.bound = true;
    group.driver = driver;
    // A group that joined a container while unbound is pinned now, as setContainer would have (see group-fops).
    if (group.container !== null && group.containerPin === null && this.kernel.tryModuleGet(driver))
      group.containerPin = driver;
    if (!this.kernel.devicePaths().includes(group.path))
      this.kernel.registerChrdev(group.path, this.groupFops);
  }

  /**
   * vfio_unregister_group_dev: the device is unbound and its group stops being viable; with no
   * device left bound the group node goes, and the group itself once nothing references it.
   */
  unregisterGroupDev(config: PciDeviceConfig): void {
    const group = this.groups.get(config.iommuGroup);
    const device = group?.devices.find((candidate) => candidate.config.address === config.address);
    if (group === undefined || device === undefined) return;
    device.bound = false;
    if (group.devices.every((candidate) => !candidate.bound)) {
      this.kernel.unregisterChrdev(group.path);
      group.driver = null;
      this.groupPut(group);
    }
  }

  /** Would unbinding this driver sleep (v5.17 waits on container_q while a group is in a container)? */
  groupsInContainer(driver: Module): VfioGroup[] {
    return [...this.groups.values()].filter((group) => group.driver === driver && group.container !== null);
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
    // The driver's unbind no longer has to wait for this group (see setContainer).
    const pin = group.containerPin;
    group.containerPin = null;
    this.kernel.modulePut(pin);
  }

  /** vfio_group_try_dissolve_container: drop one container user; the last one detaches the group. */
  tryDissolveContainer(group: VfioGroup): void {
    if (group.containerUsers === 0) return;
    group.containerUsers -= 1;
    if (group.containerUsers === 0) this.unsetContainer(group);
  }
}
