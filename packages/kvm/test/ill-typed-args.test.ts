import { errno, type IoctlArg } from '@coupling-lab/kernel';
import { KVM } from '@coupling-lab/kvm';
import { groupFd, rig, vmm } from './helpers';

/** What a JavaScript caller can hand the syscall surface, whatever the types say. */
const anything = (value: unknown): IoctlArg => value as IoctlArg;

/** Every fd closed, every module unloaded: kmemleak must find nothing left. */
function teardownLeavesNothing(
  kernel: ReturnType<typeof rig>['kernel'],
  p: ReturnType<typeof vmm>['p'],
): void {
  p.exit();
  expect(kernel.deleteModule('kvm')).toBe(0);
  expect(kernel.deleteModule('fake_vfio')).toBe(0);
  expect(() => kernel.checkLeaks()).not.toThrow();
  expect(kernel.violations).toEqual([]);
}

test('KVM_CREATE_DEVICE with a null, missing or ill-typed struct is -EFAULT, as copy_from_user gives, and leaks nothing', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  const kvmRefs = (): number => kernel.findModule('kvm')?.refcount ?? -1;
  const before = kvmRefs();
  for (const arg of [
    null,
    undefined,
    7,
    'vfio',
    {},
    { type: 'vfio' },
    { type: KVM.DEV_TYPE_VFIO, flags: 'test' },
    { type: 1.5 },
  ]) {
    expect({ arg, result: v.p.ioctl(v.vm, KVM.CREATE_DEVICE, anything(arg)) }).toEqual({
      arg,
      result: -errno.EFAULT,
    });
  }
  expect(kvmRefs()).toBe(before);
  teardownLeavesNothing(kernel, v.p);
});

test('SET, GET and HAS_DEVICE_ATTR with a null or ill-typed struct are -EFAULT and leak nothing', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  const fd = groupFd(v, 1);
  const bad = [
    null,
    undefined,
    3,
    {},
    { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_ADD },
    { group: 'vfio', attr: 1, addr: v.p.userInt32(fd) },
  ];
  for (const request of [KVM.SET_DEVICE_ATTR, KVM.HAS_DEVICE_ATTR]) {
    for (const arg of bad) {
      expect({ request, arg, result: v.p.ioctl(v.device, request, anything(arg)) }).toEqual({
        request,
        arg,
        result: -errno.EFAULT,
      });
    }
  }
  // kvm-vfio has no get_attr: kvm_device_ioctl_attr says -EPERM before it copies anything.
  expect(v.p.ioctl(v.device, KVM.GET_DEVICE_ATTR, anything(null))).toBe(-errno.EPERM);
  teardownLeavesNothing(kernel, v.p);
});
