import { boot, errno, groupAttr, groupFd, KVM, qemuFixture } from '@coupling-lab/lab';
import {
  RegisterOpsNoOwnerStrategy,
  RegisterOpsStrategy,
  RegisterOpsUnlockedStrategy,
} from '@coupling-lab/strategy-register-ops';

test('importing the package registers register-ops and its two variants by name', () => {
  expect(boot({ strategy: 'register-ops' }).strategy).toBeInstanceOf(RegisterOpsStrategy);
  expect(boot({ strategy: 'register-ops/no-owner' }).strategy).toBeInstanceOf(RegisterOpsNoOwnerStrategy);
  expect(boot({ strategy: 'register-ops/unlocked' }).strategy).toBeInstanceOf(RegisterOpsUnlockedStrategy);
});

test('the system has four modules, and the glue imports both kvm and vfio', () => {
  const sys = boot({ strategy: RegisterOpsStrategy });
  expect(sys.modules).toEqual(['vfio', 'vfio_pci', 'kvm', 'kvm_vfio']);
  expect(sys.modprobeAll()).toBe(0);
  const usedBy = Object.fromEntries(sys.inspect().modules.map((module) => [module.name, module.usedBy]));
  expect(usedBy).toMatchObject({ kvm: ['kvm_vfio'], vfio: ['kvm_vfio', 'vfio_pci'] });
});

test('KVM_CREATE_DEVICE for VFIO is -ENODEV until kvm_vfio is loaded', () => {
  const sys = boot({ strategy: RegisterOpsStrategy });
  sys.modprobe('vfio_pci');
  sys.modprobe('kvm');
  const qemu = sys.spawn('qemu');
  const vm = qemu.ioctl(qemu.open('/dev/kvm'), KVM.CREATE_VM);
  expect(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBe(-errno.ENODEV);
  expect(sys.modprobe('kvm_vfio')).toBe(0);
  expect(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBeGreaterThanOrEqual(0);
});

test("a device pins kvm_vfio through the ops' owner until the VM is torn down", () => {
  const sys = boot({ strategy: RegisterOpsStrategy });
  const fixture = qemuFixture(sys, [26]);
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, 26)),
  );
  expect(sys.inspect().modules.find((module) => module.name === 'kvm_vfio')?.refcount).toBe(1);
  expect(sys.rmmod('kvm_vfio')).toBe(-errno.EWOULDBLOCK);
  fixture.qemu.close(fixture.device);
  fixture.qemu.close(fixture.vm);
  expect(sys.rmmod('kvm_vfio')).toBe(0);
});

test('no-owner: kvm_vfio unloads under a live device, and destroying the VM calls freed code', () => {
  const sys = boot({ strategy: RegisterOpsNoOwnerStrategy });
  const fixture = qemuFixture(sys, [26]);
  expect(sys.rmmod('kvm_vfio')).toBe(0);
  fixture.qemu.close(fixture.device);
  expect(() => fixture.qemu.close(fixture.vm)).toThrow(
    expect.objectContaining({ kind: 'use-after-free', module: 'kvm_vfio' }),
  );
});

test.each(['v5.17', 'v6.6'] as const)(
  'on %s, rmmod kvm_vfio unregisters the device ops (its exit): KVM_CREATE_DEVICE is -ENODEV again, and loading it brings them back',
  (linux) => {
    const sys = boot({ strategy: RegisterOpsStrategy, linux });
    expect(sys.modprobeAll()).toBe(0);
    const qemu = sys.spawn('qemu');
    const vm = qemu.ioctl(qemu.open('/dev/kvm'), KVM.CREATE_VM);
    expect(sys.rmmod('kvm_vfio')).toBe(0);
    expect(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBe(-errno.ENODEV);
    expect(sys.inspect().violations).toEqual([]);
    expect(sys.modprobe('kvm_vfio')).toBe(0);
    expect(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBeGreaterThanOrEqual(0);
  },
);

test('the glue is a run-time link kvm_vfio -> kvm (it registers), and each variant names register-ops and its one difference', () => {
  expect(new RegisterOpsStrategy().runtimeEdges).toEqual([
    { from: 'kvm_vfio', to: 'kvm', kind: 'registers' },
  ]);
  expect(new RegisterOpsStrategy().kernels).toEqual({ 'v5.17': true, 'v6.6': true });
  for (const variant of [new RegisterOpsNoOwnerStrategy(), new RegisterOpsUnlockedStrategy()]) {
    expect(variant.variant?.of).toBe('register-ops');
    expect(variant.variant?.difference).toMatch(/owner/);
    expect(variant.summary).toMatch(/^register-ops /);
  }
  expect(new RegisterOpsStrategy().summary).toMatch(/kvm_vfio/);
});
