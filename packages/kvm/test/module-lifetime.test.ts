import { errno, type Kernel, type ModuleImage } from '@coupling-lab/kernel';
import {
  KVM,
  type KvmDevice,
  type KvmDeviceOps,
  kvmState,
  kvmVfioOps,
  type RegisterDeviceOps,
  type UnregisterDeviceOps,
  type Vm,
} from '@coupling-lab/kvm';
import { ok, onlyVm, rig, type FakePort } from './helpers';

/** The preemption points `run` passes, as `point subject`. */
function pointsOf(kernel: Kernel, run: () => void): string[] {
  const points: string[] = [];
  kernel.hook = (point, subject) => points.push(`${point} ${subject}`);
  run();
  kernel.hook = undefined;
  return points;
}

/** A glue module registering kvm-vfio ops it owns, as register-ops' kvm_vfio does. */
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

describe('KVM_CREATE_DEVICE pins the ops owner where the pinning mode says (kvm_ioctl_create_device)', () => {
  function createDevicePoints(pinning: 'locked' | 'unlocked' | 'none'): string[] {
    const { kernel, port } = rig({
      builtin: false,
      kvm: { exportDeviceOps: true, deviceOpsPinning: pinning },
    });
    kernel.registerImage(glueImage(port));
    ok(kernel.modprobe('glue'), 'modprobe glue');
    const p = kernel.spawn('qemu');
    const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
    return pointsOf(kernel, () =>
      ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'CREATE_DEVICE'),
    ).filter((point) => /kvm_device_ops|module-get glue/.test(point));
  }

  test('locked: the owner reference is taken before the table lock is dropped', () => {
    expect(createDevicePoints('locked')).toEqual([
      'lock kvm_device_ops_lock',
      'ops-access kvm_device_ops_table',
      'module-get glue',
      'unlock kvm_device_ops_lock',
    ]);
  });

  test('unlocked: the table lock is dropped first, then the owner reference is taken (the race window)', () => {
    expect(createDevicePoints('unlocked')).toEqual([
      'lock kvm_device_ops_lock',
      'ops-access kvm_device_ops_table',
      'unlock kvm_device_ops_lock',
      'module-get glue',
    ]);
  });

  test('none: as Linux, the table is read without its lock and nothing is pinned', () => {
    expect(createDevicePoints('none')).toEqual(['ops-access kvm_device_ops_table']);
  });
});

test('kvm_unregister_device_ops ignores a type out of range and leaves the registered ops in place', () => {
  const { kernel, port } = rig({ builtin: false, kvm: { exportDeviceOps: true } });
  const register = kernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops');
  const unregister = kernel.symbolGet<UnregisterDeviceOps>('kvm_unregister_device_ops');
  expect(register?.(kvmVfioOps(kernel, port), KVM.DEV_TYPE_VFIO)).toBe(0);
  expect(register?.(kvmVfioOps(kernel, port), 0)).toBe(0);
  unregister?.(-1);
  unregister?.(KVM.DEV_TYPE_MAX);
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST })).toBe(0);
  // Type 0 is in range (kvm_register_device_ops checks type >= ARRAY_SIZE only).
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: 0, flags: KVM.CREATE_DEVICE_TEST })).toBe(0);
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: -1, flags: KVM.CREATE_DEVICE_TEST })).toBe(-errno.ENODEV);
  kernel.symbolPut('kvm_register_device_ops');
  kernel.symbolPut('kvm_unregister_device_ops');
});

test('a VM is destroyed devices first, newest first (kvm_destroy_devices), and ops without destroy are skipped', () => {
  const { kernel, port } = rig({ builtin: false, kvm: { exportDeviceOps: true } });
  const register = kernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops');
  const destroyed: string[] = [];
  const toy = (name: string, withDestroy: boolean): KvmDeviceOps => ({
    name,
    create: () => 0,
    ...(withDestroy ? { destroy: (dev: KvmDevice) => destroyed.push(dev.ops.name) } : {}),
  });
  expect(register?.(toy('first', true), 1)).toBe(0);
  expect(register?.(toy('second', true), 2)).toBe(0);
  expect(register?.(toy('no-destroy', false), 3)).toBe(0);
  expect(register?.(kvmVfioOps(kernel, port), KVM.DEV_TYPE_VFIO)).toBe(0);
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  for (const type of [1, 3, 2]) ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type }), `CREATE_DEVICE ${type}`);
  // One kvm-vfio device per VM (kvm_vfio_create): the second is -EBUSY.
  ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'kvm-vfio');
  expect(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBe(-errno.EBUSY);
  expect(onlyVm(kernel).devices.map((dev) => dev.ops.name)).toEqual([
    'first',
    'no-destroy',
    'second',
    'kvm-vfio',
  ]);
  p.exit();
  expect(destroyed).toEqual(['second', 'first']);
  expect(kvmState(kernel)?.vms).toEqual([]);
  kernel.symbolPut('kvm_register_device_ops');
});

test("kvm exports kvm_get_kvm_safe/kvm_put_kvm only when built to; VFIO's reference keeps a closed VM until its put", () => {
  expect(rig().kernel.symbolGet('kvm_get_kvm_safe')).toBeNull();
  const { kernel } = rig({ kvm: { exportVmReference: true } });
  const getSafe = kernel.symbolGet<(vm: Vm) => boolean>('kvm_get_kvm_safe');
  const put = kernel.symbolGet<(vm: Vm) => void>('kvm_put_kvm');
  const p = kernel.spawn('qemu');
  const vmFd = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  const vm = onlyVm(kernel);
  expect(getSafe?.(vm)).toBe(true);
  expect(vm.users).toBe(2);
  p.close(vmFd);
  // VFIO's reference keeps the VM; its put is the last one.
  expect(kvmState(kernel)?.vms).toHaveLength(1);
  put?.(vm);
  expect(kvmState(kernel)?.vms).toEqual([]);
  expect(vm.users).toBe(0);
});

test('rmmod kvm removes /dev/kvm and its state; loading it again starts fresh with VM ids from 1', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const kvmFd = ok(p.open('/dev/kvm'), 'open');
  ok(p.ioctl(kvmFd, KVM.CREATE_VM), 'VM 1');
  ok(p.ioctl(kvmFd, KVM.CREATE_VM), 'VM 2');
  expect(kvmState(kernel)?.vms.map((vm) => vm.id)).toEqual([1, 2]);
  p.exit();
  expect(kernel.deleteModule('kvm')).toBe(0);
  expect(kvmState(kernel)).toBeUndefined();
  const q = kernel.spawn('qemu2');
  expect(q.open('/dev/kvm')).toBe(-errno.ENOENT);
  expect(kernel.modprobe('kvm')).toBe(0);
  ok(q.ioctl(ok(q.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'VM again');
  expect(kvmState(kernel)?.vms.map((vm) => vm.id)).toEqual([1]);
});

test('VM and device fds are anon inodes named kvm-vm and after the device ops; a device with its own ioctl gets the unknown requests', () => {
  const { kernel } = rig({ builtin: false, kvm: { exportDeviceOps: true } });
  const register = kernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops');
  const seen: number[] = [];
  expect(
    register?.(
      {
        name: 'toy',
        create: () => 0,
        has_attr: () => 0,
        ioctl: (_dev, request, arg) => {
          seen.push(request, arg);
          return 7;
        },
      },
      1,
    ),
  ).toBe(0);
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  const dev = ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: 1 }), 'CREATE_DEVICE');
  expect([p.fds.get(vm)?.path, p.fds.get(dev)?.path]).toEqual(['anon_inode:kvm-vm', 'anon_inode:toy']);
  expect(p.ioctl(dev, 0x1234, 5)).toBe(7);
  expect(p.ioctl(dev, 0x1235, { group: 1 })).toBe(7);
  expect(seen).toEqual([0x1234, 5, 0x1235, 0]);
  // kvm_device_ioctl_attr's copy_from_user: group, attr and addr must all be integers.
  expect(p.ioctl(dev, KVM.HAS_DEVICE_ATTR, { group: 1, attr: 0, addr: 0 })).toBe(0);
  expect(p.ioctl(dev, KVM.HAS_DEVICE_ATTR, { group: 1, attr: 0.5, addr: 0 })).toBe(-errno.EFAULT);
  expect(p.ioctl(dev, KVM.HAS_DEVICE_ATTR, { group: 1, attr: 0 })).toBe(-errno.EFAULT);
  kernel.symbolPut('kvm_register_device_ops');
});
