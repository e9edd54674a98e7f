import { IOMMUFD, KVM, type Process, type System, VFIO } from '@coupling-lab/lab';
import { expectOk, expectResult } from './assertions.js';
import { createVfioDevice, createVm } from './fixtures.js';

/**
 * QEMU's iommufd path (hw/vfio/iommufd.c, v6.6 kernels): open /dev/iommu and the device's cdev,
 * VFIO_DEVICE_BIND_IOMMUFD, IOMMU_IOAS_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT, and the kvm-vfio
 * device's KVM_DEV_VFIO_FILE_ADD/DEL of the device fd. Each step asserts it succeeded.
 */

/** The cdev of each default device (vfio_device->index in registration order). */
export const CDEV_OF_GROUP: Readonly<Record<number, string>> = {
  26: '/dev/vfio/devices/vfio0',
  27: '/dev/vfio/devices/vfio1',
};

export function cdevPathOf(group: number): string {
  const path = CDEV_OF_GROUP[group];
  if (path === undefined) throw new Error(`no default device in group ${group}`);
  return path;
}

/** VFIO_DEVICE_BIND_IOMMUFD: the raw result (the device id, or an errno). */
export function bindIommufd(p: Process, device: number, iommufd: number): number {
  return p.ioctl(device, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommufd));
}

/** VFIO_DEVICE_ATTACH_IOMMUFD_PT: the raw result (the HWPT id, or an errno). */
export function attachPt(p: Process, device: number, ptId: number): number {
  return p.ioctl(device, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ptId));
}

/** KVM_DEV_VFIO_FILE_ADD of any fd: the raw result. */
export function fileAdd(p: Process, kvmDevice: number, fd: number): number {
  return p.ioctl(kvmDevice, KVM.SET_DEVICE_ATTR, {
    group: KVM.DEV_VFIO_FILE,
    attr: KVM.DEV_VFIO_FILE_ADD,
    addr: p.userInt32(fd),
  });
}

/** KVM_DEV_VFIO_FILE_DEL of any fd: the raw result. */
export function fileDel(p: Process, kvmDevice: number, fd: number): number {
  return p.ioctl(kvmDevice, KVM.SET_DEVICE_ATTR, {
    group: KVM.DEV_VFIO_FILE,
    attr: KVM.DEV_VFIO_FILE_DEL,
    addr: p.userInt32(fd),
  });
}

/** What `qemuCdev()` set up. */
export interface QemuCdev {
  readonly process: Process;
  readonly iommufd: number;
  readonly ioas: number;
  /** IOMMU group id -> the fd of its device's cdev, bound and attached. */
  readonly devices: ReadonlyMap<number, number>;
  readonly kvm: number;
  readonly vm: number;
  readonly kvmDevice: number;
  device(group: number): number;
}

export interface QemuCdevOptions {
  /** The groups whose device QEMU opens through its cdev (default [26]). */
  readonly groups?: readonly number[];
  /** FILE_ADD each device fd to the kvm-vfio device (default true). */
  readonly add?: boolean;
  readonly name?: string;
}

/**
 * QEMU with `-device vfio-pci,iommufd=…` on a v6.6 kernel: open /dev/iommu, allocate an IOAS,
 * open each device's cdev, bind it to the iommufd and attach it to the IOAS, create the VM and
 * its kvm-vfio device and FILE_ADD each device fd. Modules must be loaded.
 */
export function qemuCdev(sys: System, options: QemuCdevOptions = {}): QemuCdev {
  const p = sys.spawn(options.name ?? 'qemu');
  const iommufd = expectOk(p.open('/dev/iommu'), 'open(/dev/iommu)');
  const ioas = expectOk(p.ioctl(iommufd, IOMMUFD.IOAS_ALLOC), 'IOMMU_IOAS_ALLOC');
  const devices = new Map<number, number>();
  for (const group of options.groups ?? [26]) {
    const path = cdevPathOf(group);
    const fd = expectOk(p.open(path), `open(${path})`);
    expectOk(bindIommufd(p, fd, iommufd), `VFIO_DEVICE_BIND_IOMMUFD(${path})`);
    expectOk(attachPt(p, fd, ioas), `VFIO_DEVICE_ATTACH_IOMMUFD_PT(${path}, IOAS ${ioas})`);
    devices.set(group, fd);
  }
  const { kvm, vm } = createVm(p);
  const kvmDevice = createVfioDevice(p, vm);
  if (options.add ?? true)
    for (const [group, fd] of devices)
      expectResult(fileAdd(p, kvmDevice, fd), 0, `KVM_DEV_VFIO_FILE_ADD(device of group ${group})`);
  return {
    process: p,
    iommufd,
    ioas,
    devices,
    kvm,
    vm,
    kvmDevice,
    device(group) {
      const fd = devices.get(group);
      if (fd === undefined) throw new Error(`qemuCdev(): the device of group ${group} was not opened`);
      return fd;
    },
  };
}
