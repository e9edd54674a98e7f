import type { File, MaySleep, Mutex, Process } from '@coupling-lab/kernel';
import type { KvmRef } from './kvm-ref.js';
import type { VfioDevice, VfioGroup } from './vfio-group.js';

/**
 * The group rules a kernel version follows, behind the group and device fds: the v5.17 rules
 * (groups-v5-17.ts) or the file-based rules of v5.19 and later (groups-v6-6.ts). The fops and the
 * core bookkeeping they share stay in group-fops.ts, device-fops.ts and vfio-core.ts.
 */
export interface GroupContract {
  /** vfio_group_fops_open. */
  open(group: VfioGroup, file: File): number;
  /** ->flush of a group fd, where the version has one. */
  readonly flush?: (group: VfioGroup) => void;
  /** vfio_group_fops_release: the last reference to a group file. */
  release(group: VfioGroup, file: File): void;
  /** VFIO_GROUP_SET_CONTAINER with the container fd `fd`. */
  setContainer(group: VfioGroup, fd: number, current: Process): number;
  /** VFIO_GROUP_UNSET_CONTAINER. */
  unsetContainer(group: VfioGroup): number;
  /** VFIO_GROUP_GET_STATUS: the flags, or an errno. */
  status(group: VfioGroup): number;
  /** VFIO_GROUP_GET_DEVICE_FD of the device called `name`. */
  getDeviceFd(group: VfioGroup, name: string, current: Process): number;
  /** The last reference to a device fd. */
  releaseDevice(group: VfioGroup, device: VfioDevice): void;
  /** vfio_unregister_group_dev, for a device that is bound. */
  unregisterGroupDev(group: VfioGroup, device: VfioDevice): MaySleep<void>;
}

/** What a VFIO device fd points at (`struct vfio_device_file`), from the group or from the cdev. */
export interface DeviceFile {
  readonly group: VfioGroup;
  readonly device: VfioDevice;
  /** df->kvm, set by vfio_file_set_kvm on a device file (used by the cdev path at bind). */
  kvm?: KvmRef | null;
  /**
   * df->kvm_ref_lock (a spinlock in Linux), which vfio_allocate_device_file gives every device
   * file since v6.5, the group's device fds as well as the cdev's. Absent on v5.17, which has no
   * vfio_device_file.
   */
  readonly kvmRefLock?: Mutex;
}
