import { errno, type ModuleImage } from '@coupling-lab/kernel';
import {
  KVM,
  type KvmDeviceOps,
  kvmState,
  kvmVfioOps,
  type RegisterDeviceOps,
  type UnregisterDeviceOps,
} from '@coupling-lab/kvm';
import { ok, onlyVm, refcount, rig, type FakePort } from './helpers';

function registerDeviceOps(rigKernel: ReturnType<typeof rig>['kernel']): RegisterDeviceOps {
  const register = rigKernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops');
  if (register === null) throw new Error('kvm does not export kvm_register_device_ops');
  return register;
}

test('/dev/kvm answers KVM_GET_API_VERSION with 12 and an unknown ioctl with -EINVAL', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const fd = ok(p.open('/dev/kvm'), 'open');
  expect(p.ioctl(fd, KVM.GET_API_VERSION)).toBe(12);
  expect(p.ioctl(fd, 0xae77)).toBe(-errno.EINVAL);
});

test('a VM fd gives -ENOTTY for an ioctl it does not know and -EFAULT for KVM_CREATE_DEVICE without its struct', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  expect(p.ioctl(vm, KVM.SET_DEVICE_ATTR, { group: 1, attr: 1, addr: 0 })).toBe(-errno.ENOTTY);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, 0x1000)).toBe(-errno.EFAULT);
});

test('KVM_CREATE_DEVICE for a type with no ops gives -ENODEV, in range or not', () => {
  const { kernel } = rig({ builtin: false });
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBe(-errno.ENODEV);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: 2 })).toBe(-errno.ENODEV);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_MAX })).toBe(-errno.ENODEV);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST })).toBe(
    -errno.ENODEV,
  );
});

test('KVM_CREATE_DEVICE_TEST returns 0 and creates nothing, so a real create afterwards still succeeds', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  const fds = p.fds.size;
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST })).toBe(0);
  expect(p.fds.size).toBe(fds);
  expect(onlyVm(kernel).devices).toEqual([]);
  expect(onlyVm(kernel).users).toBe(1);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBeGreaterThanOrEqual(0);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST })).toBe(0);
});

test('kvm exports no kvm_register_device_ops unless built to', () => {
  const { kernel } = rig();
  expect(kernel.symbolGet('kvm_register_device_ops')).toBeNull();
  expect(kernel.symbolGet('kvm_unregister_device_ops')).toBeNull();
});

test('kvm_register_device_ops gives -ENOSPC for a type out of range and -EEXIST for a type already taken', () => {
  const { kernel, port } = rig({ builtin: false, kvm: { exportDeviceOps: true } });
  const register = registerDeviceOps(kernel);
  const ops = kvmVfioOps(kernel, port);
  expect(register(ops, KVM.DEV_TYPE_MAX)).toBe(-errno.ENOSPC);
  expect(register(ops, -1)).toBe(-errno.ENOSPC);
  expect(register(ops, KVM.DEV_TYPE_VFIO)).toBe(0);
  expect(register(kvmVfioOps(kernel, port), KVM.DEV_TYPE_VFIO)).toBe(-errno.EEXIST);
  kernel.symbolPut('kvm_register_device_ops');
});

test('the built-in kvm-vfio device takes its slot: registering other VFIO ops gives -EEXIST', () => {
  const { kernel, port } = rig({ kvm: { exportDeviceOps: true } });
  expect(registerDeviceOps(kernel)(kvmVfioOps(kernel, port), KVM.DEV_TYPE_VFIO)).toBe(-errno.EEXIST);
  kernel.symbolPut('kvm_register_device_ops');
});

test('ops registered with kvm_register_device_ops make KVM_CREATE_DEVICE work until they are unregistered', () => {
  const { kernel, port } = rig({ builtin: false, kvm: { exportDeviceOps: true } });
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  expect(registerDeviceOps(kernel)(kvmVfioOps(kernel, port), KVM.DEV_TYPE_VFIO)).toBe(0);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBeGreaterThanOrEqual(0);
  const unregister = kernel.symbolGet<UnregisterDeviceOps>('kvm_unregister_device_ops');
  unregister?.(KVM.DEV_TYPE_VFIO);
  const second = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'second VM');
  expect(p.ioctl(second, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBe(-errno.ENODEV);
  kernel.symbolPut('kvm_register_device_ops');
  kernel.symbolPut('kvm_unregister_device_ops');
});

/** A glue module that registers kvm-vfio ops owned by itself for KVM_DEV_TYPE_VFIO (register-ops' shape). */
function glueImage(port: FakePort): ModuleImage {
  return {
    name: 'glue',
    description: 'registers kvm-vfio ops with an owner',
    imports: ['kvm_register_device_ops', 'kvm_unregister_device_ops'],
    exports: {},
    load(context) {
      const register = context.import<RegisterDeviceOps>('kvm_register_device_ops');
      const unregister = context.import<UnregisterDeviceOps>('kvm_unregister_device_ops');
      const ops: KvmDeviceOps = { ...kvmVfioOps(context.kernel, port), owner: context.module };
      return {
        symbols: {},
        init: () => register(ops, KVM.DEV_TYPE_VFIO),
        exit: () => unregister(KVM.DEV_TYPE_VFIO),
      };
    },
  };
}

test.each([
  ['locked', 1],
  ['unlocked', 1],
  ['none', 0],
] as const)(
  'with device ops pinning %s, a device holds %i reference(s) on its ops owner until its VM is destroyed',
  (pinning, held) => {
    const { kernel, port } = rig({
      builtin: false,
      kvm: { exportDeviceOps: true, deviceOpsPinning: pinning },
    });
    kernel.registerImage(glueImage(port));
    ok(kernel.modprobe('glue'), 'modprobe glue');
    const p = kernel.spawn('qemu');
    const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
    const device = ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'CREATE_DEVICE');
    expect(refcount(kernel, 'glue')).toBe(held);
    expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST })).toBe(
      0,
    );
    expect(refcount(kernel, 'glue')).toBe(held);
    p.close(device);
    p.close(vm);
    expect(kvmState(kernel)?.vms).toEqual([]);
    expect(refcount(kernel, 'glue')).toBe(0);
  },
);

test("the ioctl numbers are Linux's _IOC encodings (dir << 30 | size << 16 | KVMIO 0xae << 8 | nr), as strace shows them", () => {
  // _IO(KVMIO, 0x00) and _IO(KVMIO, 0x01).
  expect([KVM.GET_API_VERSION, KVM.CREATE_VM]).toEqual([0xae00, 0xae01]);
  // _IOWR(KVMIO, 0xe0, struct kvm_create_device): three __u32 fields, 12 bytes.
  expect(KVM.CREATE_DEVICE).toBe(0xc00caee0);
  // _IOW(KVMIO, 0xe1..0xe3, struct kvm_device_attr): __u32 flags, __u32 group, __u64 attr, __u64 addr.
  expect([KVM.SET_DEVICE_ATTR, KVM.GET_DEVICE_ATTR, KVM.HAS_DEVICE_ATTR]).toEqual([
    0x4018aee1, 0x4018aee2, 0x4018aee3,
  ]);
});
