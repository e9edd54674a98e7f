import { errno, type File, type FileOperations } from '@coupling-lab/kernel';
import type { DeviceFile } from './group-contract.js';
import { VFIO } from './uapi.js';
import type { VfioCore } from './vfio-core.js';

/** A VFIO device fd [vfio_device_fops]: pins vfio (fops owner) and, through its open, the device's driver. */
export function deviceFops(core: VfioCore): FileOperations {
  return {
    name: 'vfio-device',
    owner: core.module,
    release(file: File): void {
      const { group, device } = file.privateData as DeviceFile;
      core.kernel.touch(group);
      core.groupRules.releaseDevice(group, device);
    },
    ...(core.deviceCdev
      ? {
          // vfio_device_fops_unl_ioctl (v6.6): "BIND_IOMMUFD only allowed for cdev fds"; the cdev-only
          // ioctls are skipped for a group's device fd and reach vfio_pci_core_ioctl (-ENOTTY).
          ioctl: (_file: File, request: number): number =>
            request === VFIO.DEVICE_BIND_IOMMUFD ? -errno.EINVAL : -errno.ENOTTY,
        }
      : {}),
  };
}
