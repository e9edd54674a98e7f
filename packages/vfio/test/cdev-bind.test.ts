import { errno, Kernel, type Module } from '@coupling-lab/kernel';
import {
  type CdevFile,
  defaultDevices,
  IOMMUFD,
  type FileApiV66,
  fileExportsV66,
  type KvmRef,
  VFIO,
  type VfioBehaviour,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { fileOf, groupOf, ok, refcount } from './helpers';

// The cdev path of v6.6 [drivers/vfio/device_cdev.c] on a kernel that holds VMs (2b48f52f2bff,
// as lab's v6.6): vfio_device_fops_cdev_open's registration, vfio_df_ioctl_bind_iommufd's VM
// reference and its unwinding, vfio_df_unbind_iommufd at release.

const vm = (name: string): KvmRef => name as unknown as KvmRef;

/** The coherent device of group 26 (vfio_device_set's ida gives it index 0). */
const VFIO0 = '/dev/vfio/devices/vfio0';

/** A v6.6 kernel with device cdevs (that holds VMs unless told), through a reverse port that logs each get and put. */
function cdevKernel(choices: Partial<Pick<VfioBehaviour, 'holdsVm' | 'cdevVmOnFirstOpen'>> = {}): {
  kernel: Kernel;
  log: string[];
} {
  const log: string[] = [];
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: true, deviceCdev: true, ...choices },
      vmReference: () => ({
        get: (kvm) => {
          log.push(`get ${String(kvm)}`);
          return { kvm, put: () => log.push(`put ${String(kvm)}`) };
        },
      }),
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  return { kernel, log };
}

const setKvm = (kernel: Kernel): FileApiV66['vfio_file_set_kvm'] => {
  const fn = kernel.symbolGet<FileApiV66['vfio_file_set_kvm']>('vfio_file_set_kvm');
  if (fn === null) throw new Error('vfio does not export vfio_file_set_kvm');
  return fn;
};

/** Runs `call` with vfio_pci made GOING (another CPU's rmmod past try_stop_module) at its first try_module_get. */
function driverGoingDuring(kernel: Kernel, call: () => number): number {
  const driver = kernel.findModule('vfio_pci') as Module;
  kernel.hook = (point, subject) => {
    if (point === 'module-get' && subject === 'vfio_pci') driver.state = 'GOING';
  };
  try {
    return call();
  } finally {
    kernel.hook = undefined;
    driver.state = 'LIVE';
  }
}

test('a cdev opened and closed without BIND_IOMMUFD gives back its registration (the vfio_pci pin) and never blocked the group', () => {
  const { kernel, log } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  expect(refcount(kernel, 'vfio_pci')).toBe(1);
  expect(groupOf(kernel, 26).cdevDeviceOpenCnt).toBe(0);
  ok(p.close(dev), 'close vfio0');
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
  // vfio_df_unbind_iommufd returned at once (!df->access_granted): the group is not unblocked twice.
  expect(groupOf(kernel, 26).cdevDeviceOpenCnt).toBe(0);
  expect(log).toEqual([]);
  ok(p.close(ok(p.open('/dev/vfio/26'), 'open group 26')), 'close group 26');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.violations).toEqual([]);
});

test('a cdev open while vfio_pci goes away gets -ENODEV (vfio_device_try_get_registration) and holds nothing', () => {
  const { kernel } = cdevKernel();
  const p = kernel.spawn('qemu');
  const vfioRefs = refcount(kernel, 'vfio');
  expect(driverGoingDuring(kernel, () => p.open(VFIO0))).toBe(-errno.ENODEV);
  expect(p.fds.size).toBe(0);
  expect([refcount(kernel, 'vfio'), refcount(kernel, 'vfio_pci')]).toEqual([vfioRefs, 0]);
});

test('BIND_IOMMUFD takes the VM KVM set on the cdev file (vfio_df_get_kvm_safe) and holds it until the cdev closes', () => {
  const { kernel, log } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  setKvm(kernel)(fileOf(p, dev), vm('vm1'));
  // Setting the VM takes no reference yet: only the open of the device does.
  expect(log).toEqual([]);
  ok(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'BIND_IOMMUFD');
  expect(log).toEqual(['get vm1']);
  expect(groupOf(kernel, 26).devices[0]?.heldVm?.kvm).toBe(vm('vm1'));
  ok(p.close(dev), 'close vfio0');
  expect(log).toEqual(['get vm1', 'put vm1']);
  expect(groupOf(kernel, 26).devices[0]?.heldVm).toBeNull();
});

test('a cdev with no VM set binds without taking a VM reference', () => {
  const { kernel, log } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  ok(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'BIND_IOMMUFD');
  ok(p.close(dev), 'close vfio0');
  expect(log).toEqual([]);
});

test('a bind whose vfio_df_open fails (the driver going away: -ENODEV) puts the VM, the iommufd file and the group block, and a retry binds', () => {
  const { kernel, log } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  setKvm(kernel)(fileOf(p, dev), vm('vm1'));
  const bind = (): number => p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu));
  expect(driverGoingDuring(kernel, bind)).toBe(-errno.ENODEV);
  // out_put_kvm: vfio_device_put_kvm, iommufd_ctx_put; out_unlock: vfio_device_unblock_group.
  expect(log).toEqual(['get vm1', 'put vm1']);
  expect(p.fds.get(iommu)?.count).toBe(1);
  expect(groupOf(kernel, 26).cdevDeviceOpenCnt).toBe(0);
  expect(refcount(kernel, 'vfio_pci')).toBe(1);
  const df = fileOf(p, dev).privateData as CdevFile;
  expect([df.accessGranted, df.ictx]).toEqual([false, null]);
  // Nothing but the bind works on it, and the lock it took is free: a retry binds.
  expect(p.ioctl(dev, VFIO.DEVICE_DETACH_IOMMUFD_PT)).toBe(-errno.EINVAL);
  expect(bind()).toBeGreaterThan(0);
  expect(refcount(kernel, 'vfio_pci')).toBe(2);
  ok(p.close(dev), 'close vfio0');
  expect(log).toEqual(['get vm1', 'put vm1', 'get vm1', 'put vm1']);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
});

test('a second cdev of a device bound through another one gets -EINVAL (vfio_df_open opens a cdev device once) and leaves the first bound', () => {
  const { kernel } = cdevKernel();
  const p = kernel.spawn('qemu');
  const first = ok(p.open(VFIO0), 'open vfio0');
  const second = ok(p.open(VFIO0), 'open vfio0 again');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  const devId = ok(p.ioctl(first, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'bind the first');
  expect(p.ioctl(second, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBe(-errno.EINVAL);
  // The failed bind gave back its iommufd reference and its group block; the first keeps its own.
  expect(p.fds.get(iommu)?.count).toBe(2);
  expect(groupOf(kernel, 26).cdevDeviceOpenCnt).toBe(1);
  expect(groupOf(kernel, 26).devices[0]?.iommufd?.id).toBe(devId);
  // vfio_pci: one pin per open cdev and one for the open device.
  expect(refcount(kernel, 'vfio_pci')).toBe(3);
  ok(p.close(second), 'close the second');
  expect(groupOf(kernel, 26).devices[0]?.openCount).toBe(1);
  expect(refcount(kernel, 'vfio_pci')).toBe(2);
  ok(p.close(first), 'close the first');
  expect([refcount(kernel, 'vfio_pci'), groupOf(kernel, 26).cdevDeviceOpenCnt]).toEqual([0, 0]);
  expect(p.fds.get(iommu)?.count).toBe(1);
});

// Linux since 5fcc26969a16 (v6.6), unchanged in July 2026: vfio_df_ioctl_bind_iommufd calls
// vfio_df_get_kvm_safe (device->kvm = the file's VM) before vfio_df_open refuses an open device,
// and its error path is vfio_device_put_kvm(device). Yan Zhao's fix (June 2024: get and put only
// for the first open and the last close, VfioBehaviour.cdevVmOnFirstOpen) was not merged.
/** Two fds of vfio0's cdev: the first, with vm1 set on it, bound; then the second's BIND (with `secondVm` set on it, if any), and both closed. */
function secondBind(
  choices: Partial<Pick<VfioBehaviour, 'cdevVmOnFirstOpen'>>,
  secondVm?: string,
): { result: number; afterBind: string[]; afterClose: string[] } {
  const { kernel, log } = cdevKernel(choices);
  const p = kernel.spawn('qemu');
  const first = ok(p.open(VFIO0), 'open vfio0');
  const second = ok(p.open(VFIO0), 'open vfio0 again');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  setKvm(kernel)(fileOf(p, first), vm('vm1'));
  if (secondVm !== undefined) setKvm(kernel)(fileOf(p, second), vm(secondVm));
  ok(p.ioctl(first, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'bind the first');
  const result = p.ioctl(second, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu));
  const afterBind = [...log];
  ok(p.close(second), 'close the second');
  ok(p.close(first), 'close the first');
  return { result, afterBind, afterClose: [...log] };
}

test("Linux: a second cdev's failed BIND overwrites the device's VM reference with its own and puts that one; the first bind's is never put", () => {
  expect(secondBind({}, 'vm2')).toEqual({
    result: -errno.EINVAL,
    afterBind: ['get vm1', 'get vm2', 'put vm2'],
    afterClose: ['get vm1', 'get vm2', 'put vm2'],
  });
});

test("Linux: a second cdev with no VM of its own: its failed BIND puts the first bind's VM reference while the first is still bound", () => {
  expect(secondBind({})).toEqual({
    result: -errno.EINVAL,
    afterBind: ['get vm1', 'put vm1'],
    afterClose: ['get vm1', 'put vm1'],
  });
});

test("the posted fix (cdevVmOnFirstOpen): a second cdev's failed BIND takes and puts nothing, and the first bind's VM is put at its close", () => {
  for (const secondVm of ['vm2', undefined]) {
    expect(secondBind({ cdevVmOnFirstOpen: true }, secondVm)).toEqual({
      result: -errno.EINVAL,
      afterBind: ['get vm1'],
      afterClose: ['get vm1', 'put vm1'],
    });
  }
});

test('a group\'s device fd on a kernel with cdevs refuses BIND_IOMMUFD (-EINVAL, "only allowed for cdev fds") and knows no cdev ioctl (-ENOTTY)', () => {
  const { kernel } = cdevKernel();
  const p = kernel.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  const group = ok(p.open('/dev/vfio/26'), 'open group 26');
  ok(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER');
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  expect(p.ioctl(device, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBe(-errno.EINVAL);
  expect(p.ioctl(device, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(1))).toBe(-errno.ENOTTY);
  expect(p.ioctl(device, VFIO.DEVICE_DETACH_IOMMUFD_PT)).toBe(-errno.ENOTTY);
  expect(p.fds.get(iommu)?.count).toBe(1);
});

test('a second BIND_IOMMUFD on a bound cdev is -EINVAL before anything is taken: no second VM reference, the first one kept', () => {
  const { kernel, log } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  setKvm(kernel)(fileOf(p, dev), vm('vm1'));
  ok(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'BIND_IOMMUFD');
  // "one device cannot be bound twice": df->access_granted is checked before iommufd_ctx_from_fd.
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBe(-errno.EINVAL);
  expect(log).toEqual(['get vm1']);
  expect(groupOf(kernel, 26).devices[0]?.heldVm?.kvm).toBe(vm('vm1'));
  expect(p.fds.get(iommu)?.count).toBe(2);
  ok(p.close(dev), 'close vfio0');
  expect(log).toEqual(['get vm1', 'put vm1']);
});

test('a kernel that holds no VMs (before 2b48f52f2bff) binds a cdev with a VM set without taking a reference', () => {
  const { kernel, log } = cdevKernel({ holdsVm: false });
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  setKvm(kernel)(fileOf(p, dev), vm('vm1'));
  ok(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'BIND_IOMMUFD');
  ok(p.close(dev), 'close vfio0');
  expect(log).toEqual([]);
});

test('BIND_IOMMUFD refuses only negative fds with -EINVAL: fd 0, not open in this process, is -EBADF', () => {
  const { kernel } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  expect(p.fds.has(0)).toBe(false);
  expect(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(0))).toBe(-errno.EBADF);
});

test("a bound cdev's close unbinds it from the iommufd (iommufd_device_unbind): its device object and auto domain go, and the IOAS can be destroyed", () => {
  const { kernel } = cdevKernel();
  const p = kernel.spawn('qemu');
  const dev = ok(p.open(VFIO0), 'open vfio0');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  const devId = ok(p.ioctl(dev, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), 'BIND_IOMMUFD');
  const ioas = ok(p.ioctl(iommu, IOMMUFD.IOAS_ALLOC), 'IOAS_ALLOC');
  const hwpt = ok(p.ioctl(dev, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ioas)), 'ATTACH_IOMMUFD_PT');
  const destroy = (id: number): number => p.ioctl(iommu, IOMMUFD.DESTROY, p.userInt32(id));
  expect(destroy(ioas)).toBe(-errno.EBUSY);
  ok(p.close(dev), 'close vfio0');
  expect(destroy(devId)).toBe(-errno.ENOENT);
  expect(destroy(hwpt)).toBe(-errno.ENOENT);
  expect(destroy(ioas)).toBe(0);
});
