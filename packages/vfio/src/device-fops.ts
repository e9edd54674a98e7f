import { errno, type File, type FileOperations, type Process } from '@coupling-lab/kernel';
import type { VfioCore } from './vfio-core.js';
import type { VfioDevice, VfioGroup } from './vfio-group.js';

interface DeviceFile {
  readonly group: VfioGroup;
  readonly device: VfioDevice;
}

/** A VFIO device fd [drivers/vfio/vfio.c v5.17 vfio_device_fops]: pins vfio (fops owner) and the device's driver. */
export function deviceFops(core: VfioCore): FileOperations {
  return {
    name: 'vfio-device',
    owner: core.module,
    release(file: File): void {
      const { group } = file.privateData as DeviceFile;
      core.kernel.touch(group);
      const driver = group.driver;
      core.tryDissolveContainer(group);
      core.groupPut(group);
      core.kernel.modulePut(driver);
    },
  };
}

/** vfio_group_get_device_fd: -EINVAL unless the group has a container with an IOMMU and is viable; -ENODEV for an unknown device. */
export function openDeviceFd(core: VfioCore, group: VfioGroup, name: string, current: Process): number {
  if (group.containerUsers === 0 || core.checkExternalUser(group) < 0) return -errno.EINVAL;
  const device = group.devices.find((candidate) => candidate.config.address === name && candidate.bound);
  if (device === undefined) return -errno.ENODEV;
  // vfio_device_open: try_module_get(device->dev->driver->owner).
  if (!core.kernel.tryModuleGet(group.driver)) return -errno.ENODEV;
  const file = core.kernel.anonFile('[vfio-device]', core.deviceFops, { group, device } satisfies DeviceFile);
  if (file === undefined) {
    core.kernel.modulePut(group.driver);
    return -errno.ENODEV;
  }
  group.containerUsers += 1;
  core.groupGet(group);
  return current.installFd(file);
}
