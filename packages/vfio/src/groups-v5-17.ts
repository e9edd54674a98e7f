import { errno, type File, type MaySleep, type Process, waitEvent } from '@coupling-lab/kernel';
import type { DeviceFile, GroupContract } from './group-contract.js';
import { VFIO } from './uapi.js';
import type { VfioContainer } from './vfio-container.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioDevice, VfioGroup } from './vfio-group.js';

/**
 * The group rules of drivers/vfio/vfio.c v5.17: container users count the group fd's attachment,
 * each device fd and each external user (KVM); the last of them leaving dissolves the container;
 * an unbind waits on container_q for that.
 */
export function groupsV517(core: VfioCore): GroupContract {
  const kernel = core.kernel;
  return {
    open(group, file) {
      // vfio_group_fops_open: one open at a time, and none while a previous open's container
      // attachment is still in use (KVM, a device fd).
      if (group.opened > 0 || group.container !== null) return -errno.EBUSY;
      group.opened += 1;
      core.groupGet(group);
      file.privateData = group;
      return 0;
    },
    /**
     * A user fd on the group closes. The group's attachment to its container belongs to its user
     * fds: the last one closing leaves the container (vfio_group_fops_release ->
     * vfio_group_try_dissolve_container). It is done at close rather than at the last fput so
     * that a group file KVM holds (the file-based strategies) does not keep it: every strategy
     * then keeps v5.17's contract, where KVM holds only a container user (SPEC 8).
     */
    flush(group) {
      kernel.touch(group);
      group.opened -= 1;
      // Stryker disable next-line ConditionalExpression: open allows one user fd at a time (-EBUSY), so opened is 0 after this decrement
      if (group.opened === 0) core.tryDissolveContainer(group);
    },
    release(group) {
      core.groupPut(group);
    },
    setContainer(group, fd, current) {
      // vfio_group_set_container.
      if (fd < 0) return -errno.EINVAL;
      if (group.containerUsers > 0) return -errno.EINVAL;
      const file = current.fdget(fd);
      if (file === undefined) return -errno.EBADF;
      const result = file.fops === core.containerFops ? attach(core, group, file) : -errno.EINVAL;
      kernel.fput(file);
      return result;
    },
    unsetContainer(group) {
      // vfio_group_unset_container: cmpxchg(container_users, 1, 0).
      if (group.containerUsers === 0) return -errno.EINVAL;
      if (group.containerUsers !== 1) return -errno.EBUSY;
      core.detachContainer(group);
      return 0;
    },
    status(group) {
      return (
        (group.viable ? VFIO.GROUP_FLAGS_VIABLE : 0) |
        (group.container === null ? 0 : VFIO.GROUP_FLAGS_CONTAINER_SET)
      );
    },
    getDeviceFd(group, name, current) {
      return openDeviceFd(core, group, name, current);
    },
    releaseDevice(group) {
      kernel.touch(group);
      const driver = group.driver;
      core.tryDissolveContainer(group);
      core.groupPut(group);
      kernel.modulePut(driver);
    },
    unregisterGroupDev(group, device) {
      return unregisterGroupDev(core, group, device);
    },
  };
}

function attach(core: VfioCore, group: VfioGroup, file: File): number {
  const container = file.privateData as VfioContainer;
  core.kernel.touch(container);
  core.attachContainer(group, container);
  return 0;
}

/** vfio_group_get_device_fd: -EINVAL unless the group has a container with an IOMMU and is viable; -ENODEV for an unknown device. */
function openDeviceFd(core: VfioCore, group: VfioGroup, name: string, current: Process): number {
  // Stryker disable next-line ConditionalExpression: no container users means no container (attachContainer sets both, detachContainer clears both), so checkExternalUser gives the same -EINVAL
  if (group.containerUsers === 0 || core.checkExternalUser(group) < 0) return -errno.EINVAL;
  const device = group.devices.find((candidate) => candidate.config.address === name && candidate.bound);
  if (device === undefined) return -errno.ENODEV;
  // vfio_device_open: try_module_get(device->dev->driver->owner).
  if (!core.kernel.tryModuleGet(group.driver)) return -errno.ENODEV;
  const file = core.kernel.anonFile('[vfio-device]', core.deviceFops, { group, device } satisfies DeviceFile);
  if (file === undefined) {
    // anon_inode_getfile: -ENOENT when vfio, the fops' owner, is going away [fs/anon_inodes.c].
    core.kernel.modulePut(group.driver);
    return -errno.ENOENT;
  }
  group.containerUsers += 1;
  core.groupGet(group);
  return current.installFd(file);
}

/**
 * vfio_unregister_group_dev [drivers/vfio/vfio.c v5.17]: the device goes on the unbound_list
 * (the group stays viable), leaves the group's device_list (GET_DEVICE_FD no longer finds it),
 * and, when it was the group's last device, waits on container_q until the group has left its
 * container: `rmmod vfio_pci` sleeps, with vfio_pci GOING, until the group's users let go.
 * (It first waits for the device's open fds, but those pin vfio_pci, so rmmod never gets here
 * with one open.) Then the group reference of the binding is dropped.
 */
function unregisterGroupDev(core: VfioCore, group: VfioGroup, device: VfioDevice): MaySleep<void> {
  device.unbinding = true;
  device.bound = false;
  if (group.devices.some((candidate) => candidate.bound)) {
    device.unbinding = false;
    return undefined;
  }
  return waitEvent(
    group.containerQ,
    () => group.container === null,
    () => {
      // The driver core's BUS_NOTIFY_UNBOUND_DRIVER: the device leaves the unbound_list.
      device.unbinding = false;
      core.kernel.unregisterChrdev(group.path);
      group.driver = null;
      core.groupPut(group);
    },
  );
}
