import { errno, type File, type FileOperations, type IoctlArg, type Process } from '@coupling-lab/kernel';
import { openDeviceFd } from './device-fops.js';
import { VFIO } from './uapi.js';
import type { VfioContainer } from './vfio-container.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioGroup } from './vfio-group.js';

/** /dev/vfio/<group> [drivers/vfio/vfio.c v5.17 vfio_group_fops]. */
export function groupFops(core: VfioCore): FileOperations {
  const kernel = core.kernel;
  return {
    name: 'vfio-group',
    owner: core.module,
    open(file: File): number {
      const id = Number(file.path.slice('/dev/vfio/'.length));
      const group = core.groups.get(id);
      if (group === undefined) return -errno.ENODEV;
      // vfio_group_fops_open (v5.17): one open at a time, and none while a previous open's
      // container attachment is still in use (KVM, a device fd).
      if (group.opened > 0 || group.container !== null) return -errno.EBUSY;
      group.opened += 1;
      core.groupGet(group);
      file.privateData = group;
      return 0;
    },
    /**
     * A user fd on the group closes. The group's attachment to its container belongs to its user
     * fds: the last one closing leaves the container (v5.17 vfio_group_fops_release ->
     * vfio_group_try_dissolve_container). It is done at close rather than at the last fput so
     * that a group file KVM holds (the file-based strategies) does not keep it: every strategy
     * then keeps v5.17's contract, where KVM holds only a container user (SPEC 8).
     */
    flush(file: File): void {
      const group = file.privateData as VfioGroup;
      kernel.touch(group);
      group.opened -= 1;
      if (group.opened === 0) core.tryDissolveContainer(group);
    },
    release(file: File): void {
      const group = file.privateData as VfioGroup;
      core.groupPut(group);
    },
    ioctl(file: File, request: number, arg: IoctlArg, current: Process): number {
      const group = file.privateData as VfioGroup;
      kernel.touch(group);
      const address = typeof arg === 'number' ? arg : -1;
      switch (request) {
        case VFIO.GROUP_GET_STATUS:
          return (
            (group.viable ? VFIO.GROUP_FLAGS_VIABLE : 0) |
            (group.container === null ? 0 : VFIO.GROUP_FLAGS_CONTAINER_SET)
          );
        case VFIO.GROUP_SET_CONTAINER: {
          const fd = current.memory.readInt32(address);
          if (fd === undefined) return -errno.EFAULT;
          if (fd < 0) return -errno.EINVAL;
          return setContainer(core, group, fd, current);
        }
        case VFIO.GROUP_UNSET_CONTAINER:
          // vfio_group_unset_container: cmpxchg(container_users, 1, 0).
          if (group.containerUsers === 0) return -errno.EINVAL;
          if (group.containerUsers !== 1) return -errno.EBUSY;
          core.unsetContainer(group);
          return 0;
        case VFIO.GROUP_GET_DEVICE_FD: {
          const name = current.memory.readString(address);
          if (name === undefined) return -errno.EFAULT;
          return openDeviceFd(core, group, name, current);
        }
        default:
          return -errno.ENOTTY;
      }
    },
  };
}

/** vfio_group_set_container. */
function setContainer(core: VfioCore, group: VfioGroup, fd: number, current: Process): number {
  if (group.containerUsers > 0) return -errno.EINVAL;
  const file = current.fdget(fd);
  if (file === undefined) return -errno.EBADF;
  let result = -errno.EINVAL;
  if (file.fops === core.containerFops) {
    const container = file.privateData as VfioContainer;
    core.kernel.touch(container);
    container.groups.add(group);
    group.container = container;
    group.containerUsers = 1;
    result = 0;
  }
  core.kernel.fput(file);
  return result;
}
