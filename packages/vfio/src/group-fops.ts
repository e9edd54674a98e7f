import { errno, type File, type FileOperations, type IoctlArg, type Process } from '@coupling-lab/kernel';
import { VFIO } from './uapi.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioGroup } from './vfio-group.js';

/** /dev/vfio/<group> [drivers/vfio/vfio.c v5.17 vfio_group_fops; drivers/vfio/group.c v6.6]: the version's group rules behind it. */
export function groupFops(core: VfioCore): FileOperations {
  const kernel = core.kernel;
  const rules = core.groupRules;
  const flush = rules.flush;
  return {
    name: 'vfio-group',
    owner: core.module,
    open: (file: File): number => {
      const id = Number(file.path.slice('/dev/vfio/'.length));
      const group = core.groups.get(id);
      return group === undefined ? -errno.ENODEV : rules.open(group, file);
    },
    ...(flush === undefined ? {} : { flush: (file: File): void => flush(file.privateData as VfioGroup) }),
    release: (file: File): void => rules.release(file.privateData as VfioGroup, file),
    ioctl(file: File, request: number, arg: IoctlArg, current: Process): number {
      const group = file.privateData as VfioGroup;
      kernel.touch(group);
      // Stryker disable next-line ConditionalExpression,UnaryOperator: user memory holds values only in its mmap area, so -1, 1 or a struct all read as nothing (-EFAULT)
      const address = typeof arg === 'number' ? arg : -1;
      switch (request) {
        case VFIO.GROUP_GET_STATUS:
          return rules.status(group);
        case VFIO.GROUP_SET_CONTAINER: {
          const fd = current.memory.readInt32(address);
          if (fd === undefined) return -errno.EFAULT;
          return rules.setContainer(group, fd, current);
        }
        case VFIO.GROUP_UNSET_CONTAINER:
          return rules.unsetContainer(group);
        case VFIO.GROUP_GET_DEVICE_FD: {
          const name = current.memory.readString(address);
          if (name === undefined) return -errno.EFAULT;
          return rules.getDeviceFd(group, name, current);
        }
        default:
          return -errno.ENOTTY;
      }
    },
  };
}
