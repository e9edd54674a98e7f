import {
  errno,
  type File,
  type FileOperations,
  type IoctlArg,
  type Module,
  Mutex,
  type Process,
} from '@coupling-lab/kernel';
import type { DeviceFile } from './group-contract.js';
import { type IommufdCtx, iommufdCtxFromFd } from './iommufd.js';
import type { KvmRef } from './kvm-ref.js';
import { VFIO } from './uapi.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioDevice, VfioGroup } from './vfio-group.js';

/** `struct vfio_device_file` of a cdev open [drivers/vfio/device_cdev.c v6.6]. */
export interface CdevFile extends DeviceFile {
  /** df->access_granted: set once VFIO_DEVICE_BIND_IOMMUFD succeeded. */
  accessGranted: boolean;
  /** df->iommufd: the context bound to, holding a reference on its file. */
  ictx: IommufdCtx | null;
  kvm: KvmRef | null;
  /** df->kvm_ref_lock (a spinlock in Linux). */
  readonly kvmRefLock: Mutex;
  /** The driver module the open pinned (the model's stand-in for the unbind's wait, see below). */
  readonly driver: Module | null;
}

export function cdevPath(device: VfioDevice): string {
  return `/dev/vfio/devices/vfio${device.index}`;
}

/**
 * /dev/vfio/devices/vfioN [drivers/vfio/device_cdev.c, vfio_main.c vfio_device_fops v6.6]. The
 * file pins vfio (cdev.owner is THIS_MODULE of vfio.ko). Linux's open takes the device's
 * registration, and vfio_unregister_group_dev then waits for it (asking userspace through
 * ->request); the model never sleeps on userspace (SPEC 4), so the open pins the bus driver
 * instead: `rmmod vfio_pci` gives -EWOULDBLOCK while a cdev is open.
 */
export function cdevFops(core: VfioCore): FileOperations {
  const kernel = core.kernel;
  return {
    name: 'vfio-device-cdev',
    owner: core.module,
    open(file: File): number {
      // vfio_device_fops_cdev_open: vfio_device_try_get_registration, else -ENODEV.
      const found = findDevice(core, file.path);
      if (found === undefined) return -errno.ENODEV;
      const { group, device } = found;
      if (!kernel.tryModuleGet(group.driver)) return -errno.ENODEV;
      const df: CdevFile = {
        group,
        device,
        accessGranted: false,
        ictx: null,
        kvm: null,
        kvmRefLock: new Mutex(kernel, 'vfio_device_file.kvm_ref_lock', 'vfio'),
        driver: group.driver,
      };
      file.privateData = df;
      return 0;
    },
    release(file: File): void {
      // vfio_device_fops_release -> vfio_df_unbind_iommufd, then the registration goes.
      const df = file.privateData as CdevFile;
      kernel.touch(df.group);
      unbindIommufd(core, df);
      kernel.modulePut(df.driver);
    },
    ioctl(file: File, request: number, arg: IoctlArg, current: Process): number {
      const df = file.privateData as CdevFile;
      kernel.touch(df.group);
      // Stryker disable next-line ConditionalExpression,UnaryOperator: user memory holds values only in its mmap area, so -1, 1 or a struct all read as nothing (-EFAULT)
      const address = typeof arg === 'number' ? arg : -1;
      if (request === VFIO.DEVICE_BIND_IOMMUFD) return bindIommufd(core, df, address, current);
      // "Paired with smp_store_release() following vfio_df_open()": nothing else before the bind.
      if (!df.accessGranted) return -errno.EINVAL;
      switch (request) {
        case VFIO.DEVICE_ATTACH_IOMMUFD_PT: {
          const ptId = current.memory.readInt32(address);
          if (ptId === undefined) return -errno.EFAULT;
          return df.device.devSetLock.with(() => attachPt(df, ptId));
        }
        case VFIO.DEVICE_DETACH_IOMMUFD_PT:
          df.device.devSetLock.with(() => {
            const idev = df.device.iommufd;
            if (idev !== null && df.ictx !== null) df.ictx.detach(idev);
          });
          return 0;
        default:
          // vfio_pci_core_ioctl knows none of the others modelled.
          return -errno.ENOTTY;
      }
    },
  };
}

function findDevice(core: VfioCore, path: string): { group: VfioGroup; device: VfioDevice } | undefined {
  for (const group of core.groups.values()) {
    const device = group.devices.find((candidate) => candidate.bound && cdevPath(candidate) === path);
    if (device !== undefined && !group.removed) return { group, device };
  }
  return undefined;
}

/**
 * vfio_df_ioctl_bind_iommufd: -EFAULT, -EINVAL for a negative fd, vfio_device_block_group's
 * -EBUSY while the group fd is open, -EINVAL when already bound, iommufd_ctx_from_fd's -EBADF /
 * -EBADFD; then the VM KVM gave the file is taken (vfio_df_get_kvm_safe) and the device opened
 * (vfio_df_open: -EINVAL if it is open already, the cdev path opens it once; the first open
 * pins the driver and binds the device to the context). Returns the device id (out_devid).
 */
function bindIommufd(core: VfioCore, df: CdevFile, address: number, current: Process): number {
  const kernel = core.kernel;
  const fd = current.memory.readInt32(address);
  if (fd === undefined) return -errno.EFAULT;
  if (fd < 0) return -errno.EINVAL;
  const { group, device } = df;
  const blocked = group.lock.with(() => {
    if (group.openedFile !== null) return -errno.EBUSY;
    group.cdevDeviceOpenCnt += 1;
    return 0;
  });
  if (blocked < 0) return blocked;
  const unblock = (): void => group.lock.with(() => void (group.cdevDeviceOpenCnt -= 1));
  device.devSetLock.lock();
  const fail = (result: number): number => {
    device.devSetLock.unlock();
    unblock();
    return result;
  };
  if (df.accessGranted) return fail(-errno.EINVAL);
  const ictx = iommufdCtxFromFd(kernel, core.iommufdFops, fd, current);
  if (typeof ictx === 'number') return fail(ictx);
  const dropCtx = (result: number): number => {
    kernel.fput(ictx.file);
    return fail(result);
  };
  // vfio_df_get_kvm_safe before vfio_df_open's refusal of an open device: Linux takes the VM on
  // every bind (behaviour.ts, cdevVmOnFirstOpen, for the posted fix).
  const takesVm =
    core.behaviour.holdsVm && (device.openCount === 0 || core.behaviour.cdevVmOnFirstOpen !== true);
  if (takesVm)
    df.kvmRefLock.with(() => {
      if (df.kvm !== null) device.heldVm = core.vmReference.get(df.kvm);
    });
  const putKvm = (): void => {
    const held = device.heldVm;
    device.heldVm = null;
    held?.put();
  };
  if (device.openCount !== 0 || !kernel.tryModuleGet(group.driver)) {
    const result = device.openCount !== 0 ? -errno.EINVAL : -errno.ENODEV;
    if (takesVm) putKvm();
    return dropCtx(result);
  }
  kernel.touch(ictx);
  device.iommufd = ictx.bindDevice(device.config.coherent);
  device.openCount = 1;
  df.ictx = ictx;
  df.accessGranted = true;
  device.devSetLock.unlock();
  return device.iommufd.id;
}

/** vfio_df_unbind_iommufd: close the device (detach, unbind, unpin the driver), put the VM and the context, unblock the group. */
function unbindIommufd(core: VfioCore, df: CdevFile): void {
  if (!df.accessGranted) return;
  const kernel = core.kernel;
  const { group, device } = df;
  const ictx = df.ictx;
  device.devSetLock.with(() => {
    device.openCount = 0;
    if (device.iommufd !== null && ictx !== null) {
      kernel.touch(ictx);
      ictx.unbindDevice(device.iommufd);
    }
    device.iommufd = null;
    kernel.modulePut(group.driver);
    const held = device.heldVm;
    device.heldVm = null;
    held?.put();
    if (ictx !== null) kernel.fput(ictx.file);
    df.ictx = null;
    df.accessGranted = false;
  });
  group.lock.with(() => void (group.cdevDeviceOpenCnt -= 1));
}

/** vfio_df_ioctl_attach_pt -> vfio_iommufd_physical_attach_ioas: the HWPT id, or iommufd's errno. */
function attachPt(df: CdevFile, ptId: number): number {
  const idev = df.device.iommufd;
  if (idev === null || df.ictx === null) return -errno.EINVAL;
  return df.ictx.attach(idev, ptId);
}
