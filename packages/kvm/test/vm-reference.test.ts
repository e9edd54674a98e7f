import { KVM, type KvmDevice, kvmState, type RegisterDeviceOps, type Vm } from '@coupling-lab/kvm';
import { ok, onlyVm, rig } from './helpers';

function vmRig(): {
  kernel: ReturnType<typeof rig>['kernel'];
  getSafe: (vm: Vm) => boolean;
  register: RegisterDeviceOps;
} {
  const { kernel } = rig({ builtin: false, kvm: { exportVmReference: true, exportDeviceOps: true } });
  const getSafe = kernel.symbolGet<(vm: Vm) => boolean>('kvm_get_kvm_safe');
  const register = kernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops');
  if (getSafe === null || register === null) throw new Error('kvm exports no VM reference API');
  return { kernel, getSafe, register };
}

test('kvm_get_kvm_safe refuses a VM whose last reference is gone, even while its devices are still being destroyed', () => {
  const { kernel, getSafe, register } = vmRig();
  const answers: boolean[] = [];
  // A device whose destroy asks for the VM, as VFIO does for a VM it was told about (refcount_inc_not_zero).
  const probe = {
    name: 'probe',
    create: () => 0,
    destroy: (dev: KvmDevice) => answers.push(getSafe(dev.kvm)),
  };
  expect(register(probe, 1)).toBe(0);
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  p.close(ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: 1 }), 'CREATE_DEVICE'));
  p.close(vm);
  expect(answers).toEqual([false]);
  expect(kvmState(kernel)?.vms).toEqual([]);
});

test('a VM pointer kept past the VM is a use-after-free that KASAN names: "kvm vm 1"', () => {
  const { kernel, getSafe } = vmRig();
  const p = kernel.spawn('qemu');
  const vmFd = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  const vm = onlyVm(kernel);
  p.close(vmFd);
  expect(() => getSafe(vm)).toThrow('use-after-free: access to freed kvm vm 1');
});

test('a device is created under kvm->lock (kvm_vfio_create relies on it): a create that takes it again is recursive locking in kvm', () => {
  const { kernel, register } = vmRig();
  expect(register({ name: 'greedy', create: (dev: KvmDevice) => (dev.kvm.lock.lock(), 0) }, 1)).toBe(0);
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  expect(() => p.ioctl(vm, KVM.CREATE_DEVICE, { type: 1 })).toThrow(
    expect.objectContaining({
      kind: 'recursive-lock',
      module: 'kvm',
      message:
        'recursive-lock: possible recursive locking detected: qemu[1] takes kvm.lock, which it already holds',
    }),
  );
});
