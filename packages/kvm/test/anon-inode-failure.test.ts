import { errno, type Kernel, type Module } from '@coupling-lab/kernel';
import { KVM, type KvmDevice, type KvmDeviceOps, kvmState, type RegisterDeviceOps } from '@coupling-lab/kvm';
import { ok, onlyVm, rig } from './helpers';

/**
 * Runs `call` with a forced `rmmod -f kvm` on another CPU passing try_stop_module (kvm is GOING)
 * at the `nth` try_module_get of kvm, the one anon_inode_getfile makes for the new file's fops.
 * The unload never gets further, so kvm is LIVE again afterwards and the test can look around.
 */
function withKvmGoingAt(kernel: Kernel, nth: number, call: () => number): number {
  const kvm = kernel.findModule('kvm') as Module;
  let gets = 0;
  kernel.hook = (point, subject) => {
    if (point === 'module-get' && subject === 'kvm' && ++gets === nth) kvm.state = 'GOING';
  };
  try {
    return call();
  } finally {
    kernel.hook = undefined;
    kvm.state = 'LIVE';
  }
}

test('KVM_CREATE_VM whose anon inode cannot pin kvm gives -ENOENT (anon_inode_getfile) and drops the VM and its kvm reference', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const kvmFd = ok(p.open('/dev/kvm'), 'open');
  const refs = kernel.findModule('kvm')?.refcount;
  const fds = p.fds.size;
  // kvm_create_vm's try_module_get is the first, anon_inode_getfile's the second.
  expect(withKvmGoingAt(kernel, 2, () => p.ioctl(kvmFd, KVM.CREATE_VM))).toBe(-errno.ENOENT);
  expect(kernel.findModule('kvm')?.refcount).toBe(refs);
  expect(kvmState(kernel)?.vms).toEqual([]);
  expect(p.fds.size).toBe(fds);
  // Nothing of the failed VM is left in the way of the next one.
  ok(p.ioctl(kvmFd, KVM.CREATE_VM), 'CREATE_VM after');
  expect(kvmState(kernel)?.vms).toHaveLength(1);
});

test('KVM_CREATE_VM on a kvm already going away gives -ENODEV (kvm_create_vm) and takes no reference', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const kvmFd = ok(p.open('/dev/kvm'), 'open');
  const refs = kernel.findModule('kvm')?.refcount;
  expect(withKvmGoingAt(kernel, 1, () => p.ioctl(kvmFd, KVM.CREATE_VM))).toBe(-errno.ENODEV);
  expect(kernel.findModule('kvm')?.refcount).toBe(refs);
  expect(kvmState(kernel)?.vms).toEqual([]);
});

describe('KVM_CREATE_DEVICE whose anon inode cannot pin kvm (kvm_ioctl_create_device)', () => {
  /** A kernel with toy device ops at type 1 and a VM; `calls` records the ops' teardown. */
  function toyRig(teardown: 'destroy' | 'release' | 'none'): {
    kernel: Kernel;
    create: () => number;
    calls: string[];
  } {
    const { kernel } = rig({ builtin: false, kvm: { exportDeviceOps: true } });
    const calls: string[] = [];
    const ops: KvmDeviceOps = {
      name: 'toy',
      create: () => 0,
      ...(teardown === 'destroy'
        ? { destroy: (dev: KvmDevice) => calls.push(`destroy ${dev.ops.name}`) }
        : {}),
      ...(teardown === 'release'
        ? { release: (dev: KvmDevice) => calls.push(`release ${dev.ops.name}`) }
        : {}),
    };
    expect(kernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops')?.(ops, 1)).toBe(0);
    kernel.symbolPut('kvm_register_device_ops');
    const p = kernel.spawn('qemu');
    const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
    return { kernel, create: () => p.ioctl(vm, KVM.CREATE_DEVICE, { type: 1 }), calls };
  }

  test.each(['destroy', 'release'] as const)(
    'gives -ENOENT, takes the device off the VM, drops its VM reference and lets the ops %s it',
    (teardown) => {
      const { kernel, create, calls } = toyRig(teardown);
      const refs = kernel.findModule('kvm')?.refcount;
      // Nothing pins the toy ops' owner, so anon_inode_getfd's try_module_get is the first.
      expect(withKvmGoingAt(kernel, 1, create)).toBe(-errno.ENOENT);
      expect(calls).toEqual([`${teardown} toy`]);
      expect(onlyVm(kernel).devices).toEqual([]);
      expect(onlyVm(kernel).users).toBe(1);
      expect(kernel.findModule('kvm')?.refcount).toBe(refs);
    },
  );

  test('ops with neither destroy nor release are simply dropped', () => {
    const { kernel, create, calls } = toyRig('none');
    expect(withKvmGoingAt(kernel, 1, create)).toBe(-errno.ENOENT);
    expect(calls).toEqual([]);
    expect(onlyVm(kernel).devices).toEqual([]);
  });

  test('a kvm-vfio device that failed this way leaves no trace: the next create is not -EBUSY', () => {
    const { kernel } = rig();
    const p = kernel.spawn('qemu');
    const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
    const create = (): number => p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
    expect(withKvmGoingAt(kernel, 1, create)).toBe(-errno.ENOENT);
    expect(create()).toBeGreaterThanOrEqual(0);
    expect(onlyVm(kernel).devices.map((dev) => dev.ops.name)).toEqual(['kvm-vfio']);
  });
});
