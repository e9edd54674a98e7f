import type { File, FileOperations } from '@coupling-lab/kernel';
import type { DeviceFile } from './group-contract.js';
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
  };
}
