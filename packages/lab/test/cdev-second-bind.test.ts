import { boot, type CouplingStrategy, errno, KVM, type System, VFIO } from '@coupling-lab/lab';
import { fileStrategy } from './file-strategy';

// A bug Linux has had since VFIO_DEVICE_BIND_IOMMUFD (5fcc26969a16, v6.6) and still had in July
// 2026: vfio_df_ioctl_bind_iommufd takes the file's VM into device->kvm before vfio_df_open
// refuses a device that is open already, and its error path puts device->kvm. A second cdev fd
// of a bound device, FILE_ADDed to a VM, so overwrites the first bind's VM reference and puts
// its own: the first one is never put (Yan Zhao's report and fix, "vfio: Get/put KVM only for
// the first/last vfio_df_open/close in cdev path", June 2024, not merged). The lab, booting
// v6.6 as shipped, sees it at shutdown: the VM is never freed, so kvm and the files the VM's
// kvm-vfio device holds stay. With the fix in VFIO it shuts down clean.

/** The same coupling with the posted fix in VFIO (VfioBehaviour.cdevVmOnFirstOpen). */
const withPostedFix: CouplingStrategy = {
  ...fileStrategy,
  name: 'test/file-imports-cdev-fix',
  modules: (machine) =>
    fileStrategy.modules({
      ...machine,
      linux: { ...machine.linux, vfio: { ...machine.linux.vfio, cdevVmOnFirstOpen: true } },
    }),
};

/**
 * QEMU with two fds of vfio0's cdev, both FILE_ADDed to one VM's kvm-vfio device, and the first
 * bound to an iommufd; `bindSecond` tries the second's BIND_IOMMUFD.
 */
function twoCdevsOneBound(strategy: CouplingStrategy = fileStrategy): {
  sys: System;
  bindSecond: () => number;
} {
  const sys = boot({ strategy, linux: 'v6.6', onViolation: 'record' });
  expect(sys.modprobeAll()).toBe(0);
  const p = sys.spawn('qemu');
  const iommu = p.open('/dev/iommu');
  const first = p.open('/dev/vfio/devices/vfio0');
  const second = p.open('/dev/vfio/devices/vfio0');
  const vm = p.ioctl(p.open('/dev/kvm'), KVM.CREATE_VM);
  const device = p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  for (const fd of [first, second]) {
    const attr = { group: KVM.DEV_VFIO_FILE, attr: KVM.DEV_VFIO_FILE_ADD, addr: p.userInt32(fd) };
    expect(p.ioctl(device, KVM.SET_DEVICE_ATTR, attr)).toBe(0);
  }
  expect(p.ioctl(first, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu))).toBeGreaterThan(0);
  return { sys, bindSecond: () => p.ioctl(second, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)) };
}

test("a second cdev's failed BIND_IOMMUFD leaks the first bind's VM reference: kvm and vfio cannot be unloaded", () => {
  const { sys, bindSecond } = twoCdevsOneBound();
  expect(bindSecond()).toBe(-errno.EINVAL);
  expect(sys.teardown()).toEqual(['vfio', 'kvm']);
  expect(sys.inspect().violations).toEqual([
    expect.objectContaining({ kind: 'leak', module: 'vfio' }),
    expect.objectContaining({ kind: 'leak', module: 'kvm' }),
  ]);
});

test('without the second bind the same set-up shuts down clean', () => {
  const { sys } = twoCdevsOneBound();
  expect(sys.teardown()).toEqual([]);
  expect(sys.inspect().violations).toEqual([]);
});

test("with the posted fix the second cdev's failed BIND leaks nothing: the same shutdown is clean", () => {
  const { sys, bindSecond } = twoCdevsOneBound(withPostedFix);
  expect(bindSecond()).toBe(-errno.EINVAL);
  expect(sys.teardown()).toEqual([]);
  expect(sys.inspect().violations).toEqual([]);
});
