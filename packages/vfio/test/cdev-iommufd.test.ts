import { errno, Kernel, O_TRUNC } from '@coupling-lab/kernel';
import {
  type CdevFile,
  defaultDevices,
  type FileApiV66,
  fileExportsV66,
  getOpsExportsWithDevices,
  type GetOpsApi,
  IOMMUFD,
  type KvmRef,
  VFIO,
  type VfioFileOps,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { fileOf, groupOf, ok, refcount } from './helpers';

const vm = (name: string): KvmRef => name as unknown as KvmRef;

// v6.6 with device cdevs (drivers/vfio/device_cdev.c) and iommufd (drivers/iommu/iommufd/), in vfio's own tests.

function cdevKernel(): Kernel {
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false, deviceCdev: true },
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  return kernel;
}

/** The coherent device of group 26 is vfio0, the non-coherent one of group 27 vfio1 (vfio_device_set's ida). */
const COHERENT = '/dev/vfio/devices/vfio0';
const NONCOHERENT = '/dev/vfio/devices/vfio1';

test('each bound device gets its cdev and /dev/iommu appears with vfio; rmmod vfio_pci takes the cdevs away', () => {
  const kernel = cdevKernel();
  expect(kernel.devicePaths()).toEqual([
    '/dev/iommu',
    '/dev/vfio/26',
    '/dev/vfio/27',
    COHERENT,
    NONCOHERENT,
    '/dev/vfio/vfio',
  ]);
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.devicePaths()).toEqual(['/dev/iommu', '/dev/vfio/vfio']);
  expect(kernel.deleteModule('vfio')).toBe(0);
  expect(kernel.devicePaths()).toEqual([]);
});

test('VFIO_DEVICE_BIND_IOMMUFD refuses what vfio_df_ioctl_bind_iommufd refuses, and nothing else works before it', () => {
  const kernel = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(COHERENT), 'open cdev');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  expect(p.ioctl(dev, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(1))).toBe(-errno.EINVAL);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, 0x10)).toBe(-errno.EFAULT);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD)).toBe(-errno.EFAULT);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(-1))).toBe(-errno.EINVAL);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(99))).toBe(-errno.EBADF);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(container))).toBe(-errno.EBADFD);
  // None of the failures left the group blocked.
  expect(groupOf(kernel, 26).cdevDeviceOpenCnt).toBe(0);
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBe(-errno.EBUSY);
  ok(p.close(group), 'close group');
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBeGreaterThan(0);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBe(-errno.EINVAL);
  expect(p.ioctl(dev, 0x3b99)).toBe(-errno.ENOTTY);
});

test('a bound cdev blocks the group fd (-EBUSY), pins vfio_pci and the iommufd file; its close gives all back', () => {
  const kernel = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(COHERENT), 'open cdev');
  expect(refcount(kernel, 'vfio_pci')).toBe(1);
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  ok(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'BIND_IOMMUFD');
  expect(refcount(kernel, 'vfio_pci')).toBe(2);
  expect(p.fds.get(iommu)?.count).toBe(2);
  expect(p.open('/dev/vfio/26')).toBe(-errno.EBUSY);
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EWOULDBLOCK);
  ok(p.close(dev), 'close cdev');
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
  expect(p.fds.get(iommu)?.count).toBe(1);
  expect(groupOf(kernel, 26).cdevDeviceOpenCnt).toBe(0);
  ok(p.close(ok(p.open('/dev/vfio/26'), 'group after')), 'close group');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
});

test('iommufd objects: an IOAS gets an auto domain per coherency, DESTROY refuses what is in use, ATTACH the wrong ids', () => {
  const kernel = cdevKernel();
  const p = kernel.spawn('qemu');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  const coherent = ok(p.open(COHERENT), 'open vfio0');
  const noncoherent = ok(p.open(NONCOHERENT), 'open vfio1');
  const devId = ok(p.ioctl(coherent, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'bind vfio0');
  const otherId = ok(p.ioctl(noncoherent, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'bind vfio1');
  const ioas = ok(p.ioctl(iommu, IOMMUFD.IOAS_ALLOC), 'IOAS_ALLOC');
  expect(p.ioctl(coherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(999))).toBe(-errno.ENOENT);
  expect(p.ioctl(coherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(otherId))).toBe(-errno.EINVAL);
  expect(p.ioctl(coherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, 0x10)).toBe(-errno.EFAULT);
  const enforcing = ok(p.ioctl(coherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ioas)), 'attach vfio0');
  // Attaching again to the same IOAS finds the same domain.
  expect(p.ioctl(coherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ioas))).toBe(enforcing);
  // The enforcing domain refuses the non-coherent device: it gets a domain of its own.
  expect(p.ioctl(noncoherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(enforcing))).toBe(-errno.EINVAL);
  const plain = ok(p.ioctl(noncoherent, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ioas)), 'attach vfio1');
  expect(plain).not.toBe(enforcing);
  const destroy = (id: number): number => p.ioctl(iommu, IOMMUFD.DESTROY, p.userInt32(id));
  expect(destroy(ioas)).toBe(-errno.EBUSY);
  expect(destroy(enforcing)).toBe(-errno.EBUSY);
  expect(destroy(devId)).toBe(-errno.EBUSY);
  expect(destroy(999)).toBe(-errno.ENOENT);
  expect(p.ioctl(iommu, IOMMUFD.DESTROY, 0x10)).toBe(-errno.EFAULT);
  expect(p.ioctl(iommu, 0x3b99)).toBe(-errno.ENOTTY);
  // Detaching both lets their auto domains go, and then the IOAS.
  expect(p.ioctl(coherent, VFIO.DEVICE_DETACH_IOMMUFD_PT)).toBe(0);
  expect(p.ioctl(noncoherent, VFIO.DEVICE_DETACH_IOMMUFD_PT)).toBe(0);
  expect(destroy(enforcing)).toBe(-errno.ENOENT);
  expect(destroy(ioas)).toBe(0);
  ok(p.close(coherent), 'close vfio0');
  ok(p.close(noncoherent), 'close vfio1');
  ok(p.close(iommu), 'close /dev/iommu');
  p.exit();
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.deleteModule('vfio')).toBe(0);
  kernel.checkLeaks();
});

describe('the v6.6 file API and get_ops with device files', () => {
  function apiKernel(): Kernel {
    const kernel = new Kernel();
    kernel.registerImage(
      vfioImage([fileExportsV66, getOpsExportsWithDevices], {
        behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false, deviceCdev: true },
      }),
    );
    kernel.registerImage(vfioPciImage(defaultDevices));
    ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
    return kernel;
  }

  function fn<T>(kernel: Kernel, name: string): T {
    const found = kernel.symbolGet<T>(name);
    if (found === null) throw new Error(`vfio does not export ${name}`);
    return found;
  }

  test('a cdev file is valid, answers its own device coherency and takes the VM under its own kvm_ref_lock', () => {
    const kernel = apiKernel();
    const p = kernel.spawn('qemu');
    const coherent = fileOf(p, ok(p.open(COHERENT), 'open vfio0'));
    const noncoherent = fileOf(p, ok(p.open(NONCOHERENT), 'open vfio1'));
    const container = fileOf(p, ok(p.open('/dev/vfio/vfio'), 'open container'));
    const isValid = fn<FileApiV66['vfio_file_is_valid']>(kernel, 'vfio_file_is_valid');
    const enforced = fn<FileApiV66['vfio_file_enforced_coherent']>(kernel, 'vfio_file_enforced_coherent');
    const setKvm = fn<FileApiV66['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm');
    expect([isValid(coherent), isValid(container)]).toEqual([true, false]);
    expect([enforced(coherent), enforced(noncoherent), enforced(container)]).toEqual([true, false, true]);
    const locks: string[] = [];
    kernel.hook = (point, subject) => {
      if (point === 'lock') locks.push(subject);
    };
    setKvm(coherent, vm('vm1'));
    kernel.hook = undefined;
    expect(locks).toEqual(['vfio_device_file.kvm_ref_lock']);
    expect((coherent.privateData as CdevFile).kvm).toBe(vm('vm1'));
    setKvm(container, vm('vm1'));
  });

  test('get_ops gives a group file the group table and a device file the device table; anything else -EINVAL', () => {
    const kernel = apiKernel();
    const p = kernel.spawn('qemu');
    const group = fileOf(p, ok(p.open('/dev/vfio/27'), 'open group 27'));
    const device = fileOf(p, ok(p.open(COHERENT), 'open vfio0'));
    const container = fileOf(p, ok(p.open('/dev/vfio/vfio'), 'open container'));
    const getOps = fn<GetOpsApi['vfio_file_get_ops']>(kernel, 'vfio_file_get_ops');
    expect(getOps(container)).toBe(-errno.EINVAL);
    const groupOps = getOps(group) as VfioFileOps;
    const deviceOps = getOps(device) as VfioFileOps;
    expect([groupOps.get_iommu_group(group), groupOps.is_enforced_coherent(group)]).toEqual([27, false]);
    expect([deviceOps.get_iommu_group(device), deviceOps.is_enforced_coherent(device)]).toEqual([26, true]);
    deviceOps.set_kvm(device, vm('vm2'));
    groupOps.set_kvm(group, vm('vm2'));
    expect((device.privateData as CdevFile).kvm).toBe(vm('vm2'));
    expect(groupOf(kernel, 27).kvm).toBe(vm('vm2'));
  });
});

test("get_ops' tables answer null for the group id of a file that is not theirs, as vfio_file_iommu_group does", () => {
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([getOpsExportsWithDevices], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false, deviceCdev: true },
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const p = kernel.spawn('qemu');
  const group = fileOf(p, ok(p.open('/dev/vfio/26'), 'open group 26'));
  const device = fileOf(p, ok(p.open(COHERENT), 'open vfio0'));
  const container = fileOf(p, ok(p.open('/dev/vfio/vfio'), 'open container'));
  const getOps = kernel.symbolGet<GetOpsApi['vfio_file_get_ops']>('vfio_file_get_ops');
  const groupOps = getOps?.(group) as VfioFileOps;
  const deviceOps = getOps?.(device) as VfioFileOps;
  expect([groupOps.get_iommu_group(container), deviceOps.get_iommu_group(container)]).toEqual([null, null]);
});

test('a call through either get_ops table after vfio is forced out is KASAN naming the table: vfio_group_file_ops, vfio_device_file_ops', () => {
  const kernel = new Kernel({ forceUnload: true, onViolation: 'record' });
  kernel.registerImage(
    vfioImage([getOpsExportsWithDevices], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false, deviceCdev: true },
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const p = kernel.spawn('qemu');
  const group = fileOf(p, ok(p.open('/dev/vfio/27'), 'open group 27'));
  const device = fileOf(p, ok(p.open(COHERENT), 'open vfio0'));
  const getOps = kernel.symbolGet<GetOpsApi['vfio_file_get_ops']>('vfio_file_get_ops');
  const groupOps = getOps?.(group) as VfioFileOps;
  const deviceOps = getOps?.(device) as VfioFileOps;
  kernel.symbolPut('vfio_file_get_ops');
  kernel.deleteModule('vfio_pci', O_TRUNC);
  kernel.deleteModule('vfio', O_TRUNC);
  groupOps.get_iommu_group(group);
  deviceOps.get_iommu_group(device);
  const messages = kernel.violations.map((violation) => violation.message);
  expect(messages).toContain(
    'use-after-free: call to vfio_group_file_ops.get_iommu_group of freed module vfio',
  );
  expect(messages).toContain(
    'use-after-free: call to vfio_device_file_ops.get_iommu_group of freed module vfio',
  );
});
