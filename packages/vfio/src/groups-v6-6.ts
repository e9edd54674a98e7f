import { errno, type File, type MaySleep, Mutex } from '@coupling-lab/kernel';
import { cdevPath } from './device-cdev.js';
import type { DeviceFile, GroupContract } from './group-contract.js';
import { VFIO } from './uapi.js';
import type { VfioContainer } from './vfio-container.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioDevice, VfioGroup } from './vfio-group.js';

/**
 * The group rules of drivers/vfio/group.c v6.6 (file-based since v5.19): group_lock around every
 * group operation; KVM holds the group file and is no container user; container users are the
 * group's attachment and each open device, and each open device holds a reference on the group
 * file, so the group leaves its container when that file is released; the unbind of the group's
 * last device detaches it at once; VFIO holds the group's VM from a device's first open to its
 * last close (vfio_device_get_kvm_safe) when the version does.
 */
export function groupsV66(core: VfioCore): GroupContract {
  const kernel = core.kernel;
  return {
    open(group, file) {
      // vfio_group_fops_open.
      return group.lock.with(() => {
        // refcount_read(&group->drivers) == 0: the last driver is going away.
        if (group.removed || !group.devices.some((device) => device.bound)) return -errno.ENODEV;
        // "Do we need multiple instances of the group open?  Seems not."
        if (group.openedFile !== null) return -errno.EBUSY;
        // A device bound through its cdev blocks the group path (vfio_device_block_group).
        if (group.cdevDeviceOpenCnt > 0) return -errno.EBUSY;
        group.openedFile = file;
        core.groupGet(group);
        file.privateData = group;
        return 0;
      });
    },
    release(group) {
      // vfio_group_fops_release: "Device FDs hold a group file reference, therefore the group
      // release is only called when there are no open devices."
      group.lock.with(() => {
        // Stryker disable next-line ConditionalExpression: detachContainer returns at once for a group with no container
        if (group.container !== null) core.detachContainer(group);
        group.openedFile = null;
      });
      core.groupPut(group);
    },
    setContainer(group, fd, current) {
      // vfio_group_ioctl_set_container.
      const file = current.fdget(fd);
      if (file === undefined) return -errno.EBADF;
      const result = group.lock.with(() => {
        if (group.container !== null) return -errno.EINVAL;
        if (group.removed) return -errno.ENODEV;
        // Neither a container nor an iommufd: "The FD passed is not recognized."
        if (file.fops !== core.containerFops) return -errno.EBADFD;
        const container = file.privateData as VfioContainer;
        kernel.touch(container);
        core.attachContainer(group, container);
        return 0;
      });
      kernel.fput(file);
      return result;
    },
    unsetContainer(group) {
      // vfio_group_ioctl_unset_container: KVM is no container user any more, so only open devices refuse it.
      return group.lock.with(() => {
        if (group.container === null) return -errno.EINVAL;
        if (group.containerUsers !== 1) return -errno.EBUSY;
        core.detachContainer(group);
        return 0;
      });
    },
    status(group) {
      // vfio_group_ioctl_get_status: a group whose last driver went has no iommu_group: -ENODEV.
      return group.lock.with(() => {
        if (group.removed) return -errno.ENODEV;
        return group.container === null
          ? VFIO.GROUP_FLAGS_VIABLE
          : VFIO.GROUP_FLAGS_CONTAINER_SET | VFIO.GROUP_FLAGS_VIABLE;
      });
    },
    getDeviceFd(group, name, current) {
      // vfio_group_ioctl_get_device_fd: the name first (vfio_device_get_from_name), then the open.
      const device = group.deviceLock.with(() =>
        group.devices.find((candidate) => candidate.bound && candidate.config.address === name),
      );
      if (device === undefined) return -errno.ENODEV;
      const opened = openDevice(core, group, device);
      if (opened < 0) return opened;
      // vfio_device_open_file -> vfio_allocate_device_file: the file's own kvm_ref_lock.
      const df: DeviceFile = {
        group,
        device,
        kvmRefLock: new Mutex(kernel, 'vfio_device_file.kvm_ref_lock', 'vfio'),
      };
      const file = kernel.anonFile('[vfio-device]', core.deviceFops, df);
      if (file === undefined) {
        // vfio_device_open_file -> anon_inode_getfile: -ENOENT when vfio is going away [fs/anon_inodes.c].
        closeDevice(core, group, device);
        return -errno.ENOENT;
      }
      core.groupGet(group);
      return current.installFd(file);
    },
    releaseDevice(group, device) {
      // vfio_device_fops_release -> vfio_df_group_close.
      closeDevice(core, group, device);
      core.groupPut(group);
    },
    unregisterGroupDev(group, device) {
      return unregisterGroupDev(core, group, device);
    },
  };
}

/**
 * vfio_df_group_open: under group_lock and dev_set->lock; the first open takes the group's VM
 * (vfio_device_group_get_kvm_safe, under kvm_ref_lock), pins the driver and uses the container
 * (a container user, and a reference on the group file).
 */
function openDevice(core: VfioCore, group: VfioGroup, device: VfioDevice): number {
  const kernel = core.kernel;
  group.lock.lock();
  if (group.container === null) {
    group.lock.unlock();
    return -errno.EINVAL;
  }
  device.devSetLock.lock();
  const first = device.openCount === 0;
  if (first && core.behaviour.holdsVm) getKvmSafe(core, group, device);
  if (first && !kernel.tryModuleGet(group.driver)) {
    putKvm(device);
    device.devSetLock.unlock();
    group.lock.unlock();
    return -errno.ENODEV;
  }
  if (first) {
    const used = useContainer(core, group);
    if (used < 0) {
      kernel.modulePut(group.driver);
      putKvm(device);
      device.devSetLock.unlock();
      group.lock.unlock();
      return used;
    }
  }
  // vfio_df_device_first_open ends with the driver's open_device, device->kvm set.
  if (first) device.heldVm?.openDevice?.();
  device.openCount += 1;
  device.devSetLock.unlock();
  group.lock.unlock();
  return 0;
}

/** vfio_df_group_close: the last close lets go of the container, the driver and then the VM, still under dev_set->lock. */
function closeDevice(core: VfioCore, group: VfioGroup, device: VfioDevice): void {
  const kernel = core.kernel;
  kernel.touch(group);
  group.lock.lock();
  device.devSetLock.lock();
  device.openCount -= 1;
  if (device.openCount === 0) {
    unuseContainer(core, group);
    kernel.modulePut(group.driver);
    putKvm(device);
  }
  device.devSetLock.unlock();
  group.lock.unlock();
}

/** vfio_device_group_get_kvm_safe -> vfio_device_get_kvm_safe through the strategy's reverse port. */
function getKvmSafe(core: VfioCore, group: VfioGroup, device: VfioDevice): void {
  group.kvmRefLock.with(() => {
    if (group.kvm !== null) device.heldVm = core.vmReference.get(group.kvm);
  });
}

/** vfio_device_put_kvm. */
function putKvm(device: VfioDevice): void {
  const held = device.heldVm;
  if (held === null) return;
  device.heldVm = null;
  held.put();
}

/** vfio_group_use_container: -EINVAL before VFIO_SET_IOMMU; else one more container user, and a reference on the group file. */
function useContainer(core: VfioCore, group: VfioGroup): number {
  // Stryker disable next-line OptionalChaining: its only caller, openDevice, has already returned -EINVAL for a group with no container
  if (group.container?.iommuType === null) return -errno.EINVAL;
  group.containerUsers += 1;
  // Stryker disable next-line ConditionalExpression: a device opens only through GET_DEVICE_FD on the open group file, so opened_file is set here
  if (group.openedFile !== null) core.kernel.fget(group.openedFile);
  return 0;
}

/** vfio_group_unuse_container. */
function unuseContainer(core: VfioCore, group: VfioGroup): void {
  group.containerUsers -= 1;
  const file: File | null = group.openedFile;
  // Stryker disable next-line ConditionalExpression: an open device holds a reference on the group file, whose release (clearing opened_file) comes only after its last close
  if (file !== null) core.kernel.fput(file);
}

/**
 * vfio_unregister_group_dev [drivers/vfio/vfio_main.c v6.6]: the device leaves the device_list
 * (vfio_device_group_unregister: GET_DEVICE_FD no longer finds it); it would wait for its open
 * fds, but those pin vfio_pci; then vfio_device_remove_group: when it was the group's last
 * driver, the group node goes and, under group_lock, the group is detached from its container at
 * once and loses its iommu_group: no sleeping since v5.19 ("vfio: Delete container_q").
 */
function unregisterGroupDev(core: VfioCore, group: VfioGroup, device: VfioDevice): MaySleep<void> {
  group.deviceLock.with(() => {
    device.bound = false;
  });
  // vfio_device_del -> cdev_device_del.
  if (core.deviceCdev) core.kernel.unregisterChrdev(cdevPath(device));
  if (group.devices.some((candidate) => candidate.bound)) return undefined;
  core.kernel.unregisterChrdev(group.path);
  group.lock.with(() => {
    // Stryker disable next-line ConditionalExpression: detachContainer returns at once for a group with no container
    if (group.container !== null) core.detachContainer(group);
    group.removed = true;
  });
  group.driver = null;
  core.groupPut(group);
  return undefined;
}
