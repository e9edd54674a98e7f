import {
  errno,
  type File,
  type FileOperations,
  type Kernel,
  type MaySleep,
  type Module,
  Mutex,
} from '@coupling-lab/kernel';
import type { VfioBehaviour } from './behaviour.js';
import { containerFops } from './container-fops.js';
import { cdevFops, cdevPath } from './device-cdev.js';
import { deviceFops } from './device-fops.js';
import type { DeviceFile, GroupContract } from './group-contract.js';
import { groupFops } from './group-fops.js';
import { groupsV517 } from './groups-v5-17.js';
import { groupsV66 } from './groups-v6-6.js';
import { iommufdFops } from './iommufd.js';
import type { PciDeviceConfig } from './pci-device.js';
import { VfioContainer } from './vfio-container.js';
import { VfioGroup } from './vfio-group.js';
import type { VmReferencePort } from './vm-reference.js';

/**
 * The vfio core module's data [drivers/vfio/vfio.c v5.17; drivers/vfio/ v6.6]: its groups and
 * containers, its three file types, the version's group rules, and the group/container
 * bookkeeping every entry point shares.
 */
export class VfioCore {
  readonly groups = new Map<number, VfioGroup>();
  readonly groupRules: GroupContract;
  readonly containerFops: FileOperations;
  readonly groupFops: FileOperations;
  readonly deviceFops: FileOperations;
  /** /dev/vfio/devices/vfioN and /dev/iommu (v6.6 with device cdevs; iommufd folded into vfio, see docs/model.md). */
  readonly cdevFops: FileOperations;
  readonly iommufdFops: FileOperations;
  private nextContainerId = 1;

  constructor(
    readonly kernel: Kernel,
    readonly module: Module,
    readonly behaviour: VfioBehaviour,
    /** How VFIO takes a VM reference (the reverse direction), when the version holds VMs. */
    readonly vmReference: VmReferencePort,
  ) {
    this.groupRules = behaviour.groups === 'v5.17' ? groupsV517(this) : groupsV66(this);
    this.containerFops = containerFops(this);
    this.groupFops = groupFops(this);
    this.deviceFops = deviceFops(this);
    this.cdevFops = cdevFops(this);
    this.iommufdFops = iommufdFops(kernel, module);
  }

  /** Device files as well as group files (VFIO_DEVICE_BIND_IOMMUFD, KVM_DEV_VFIO_FILE with a device file). */
  get deviceCdev(): boolean {
    return this.behaviour.deviceCdev === true;
  }

  newContainer(): VfioContainer {
    return new VfioContainer(this.module, this.nextContainerId++);
  }

  /** vfio_register_group_dev: a driver binds a device; its group (and /dev/vfio/<id>) appears with the first one. */
  registerGroupDev(config: PciDeviceConfig, driver: Module | null): void {
    let group = this.groups.get(config.iommuGroup);
    if (group === undefined || group.removed) {
      group = new VfioGroup(this.kernel, this.module, config.iommuGroup);
      this.groups.set(group.id, group);
    }
    // The binding holds one group reference while any device is bound, also when a driver rebinds a group an open file kept.
    if (!group.devices.some((device) => device.bound)) group.refs.get();
    let device = group.devices.find((candidate) => candidate.config.address === config.address);
    if (device === undefined) {
      device = {
        config,
        index: this.freeDeviceIndex(),
        iommufd: null,
        // Stryker disable next-line BooleanLiteral: set to true just below, before anything reads it
        bound: false,
        unbinding: false,
        openCount: 0,
        devSetLock: new Mutex(this.kernel, 'vfio_device_set.lock', 'vfio'),
        heldVm: null,
      };
      group.devices.push(device);
    }
    device.bound = true;
    group.driver = driver;
    if (!this.kernel.devicePaths().includes(group.path))
      this.kernel.registerChrdev(group.path, this.groupFops);
    // vfio_device_add -> cdev_device_add: the device's own node.
    if (this.deviceCdev && !this.kernel.devicePaths().includes(cdevPath(device)))
      this.kernel.registerChrdev(cdevPath(device), this.cdevFops);
  }

  /** vfio_device_set's ida: the lowest index no device holds. */
  private freeDeviceIndex(): number {
    const taken = new Set([...this.groups.values()].flatMap((group) => group.devices.map((d) => d.index)));
    let index = 0;
    while (taken.has(index)) index++;
    return index;
  }

  /** vfio_unregister_group_dev: the version's unbind (it may sleep, v5.17). */
  unregisterGroupDev(config: PciDeviceConfig): MaySleep<void> {
    const group = this.groups.get(config.iommuGroup);
    const device = group?.devices.find((candidate) => candidate.config.address === config.address);
    if (group === undefined || device === undefined || !device.bound) return undefined;
    return this.groupRules.unregisterGroupDev(group, device);
  }

  groupGet(group: VfioGroup): void {
    this.kernel.touch(group);
    group.refs.get();
  }

  /** vfio_group_put: the last reference frees the group. */
  groupPut(group: VfioGroup): void {
    this.kernel.touch(group);
    if (!group.refs.put()) return;
    if (this.groups.get(group.id) === group) this.groups.delete(group.id);
    group.refs.retire();
    this.kernel.kfree(group);
  }

  /** Is `file` a group file (f_op == &vfio_group_fops), and which group; dereferencing the file is checked. */
  groupOfFile(file: File): VfioGroup | undefined {
    this.kernel.touch(file);
    return file.fops === this.groupFops ? (file.privateData as VfioGroup) : undefined;
  }

  /** vfio_device_from_file: a device file (f_op == &vfio_device_fops), from the group or the cdev. */
  deviceOfFile(file: File): DeviceFile | undefined {
    this.kernel.touch(file);
    return file.fops === this.deviceFops || file.fops === this.cdevFops
      ? (file.privateData as DeviceFile)
      : undefined;
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

  /** vfio_group_set_container's attach: the group in the container, its attachment its first container user. */
  attachContainer(group: VfioGroup, container: VfioContainer): void {
    container.groups.add(group);
    group.container = container;
    group.containerUsers = 1;
  }

  /**
   * __vfio_group_unset_container (v5.17) / vfio_group_detach_container (v6.6): detach from the
   * container; the last group out unsets its IOMMU; a v5.17 unbind waiting for this is woken.
   */
  detachContainer(group: VfioGroup): void {
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
    if (group.containerUsers === 0) this.detachContainer(group);
  }
}
