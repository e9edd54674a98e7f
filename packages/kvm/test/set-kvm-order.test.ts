import { add, del, ok, rig, vmm } from './helpers';

test("by default GROUP_ADD calls set_kvm with the device's lock held (the 2023 fix, upstream 9e0f4f2918c2)", () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  expect(port.calls).toEqual(['acquire 1', 'set_kvm 1 vm1']);
  expect(port.lockHeldAtSetKvm).toEqual([true]);
});

test("setKvmOrder locked calls set_kvm with the device's lock held", () => {
  const { kernel, port } = rig({ kvmVfio: { setKvmOrder: 'locked' } });
  ok(add(vmm(kernel), 1), 'add');
  expect(port.lockHeldAtSetKvm).toEqual([true]);
});

test("setKvmOrder unlocked-local calls set_kvm after the device's lock is dropped, as v5.17 did", () => {
  const { kernel, port } = rig({ kvmVfio: { setKvmOrder: 'unlocked-local' } });
  ok(add(vmm(kernel), 1), 'add');
  expect(port.calls).toEqual(['acquire 1', 'set_kvm 1 vm1']);
  expect(port.lockHeldAtSetKvm).toEqual([false]);
});

test("setKvmOrder unlocked-kvg calls set_kvm after the device's lock is dropped, as v5.19 did", () => {
  const { kernel, port } = rig({ kvmVfio: { setKvmOrder: 'unlocked-kvg' } });
  ok(add(vmm(kernel), 1), 'add');
  expect(port.lockHeldAtSetKvm).toEqual([false]);
});

test.each(['locked', 'unlocked-local', 'unlocked-kvg'] as const)(
  "with setKvmOrder %s, GROUP_DEL calls set_kvm(null) with the device's lock held",
  (setKvmOrder) => {
    const { kernel, port } = rig({ kvmVfio: { setKvmOrder } });
    const v = vmm(kernel);
    ok(add(v, 1), 'add');
    port.lockHeldAtSetKvm.length = 0;
    ok(del(v, 1), 'del');
    expect(port.lockHeldAtSetKvm).toEqual([true]);
  },
);

test('the kvm-vfio lock is released after every attribute call', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  ok(del(v, 1), 'del');
  ok(add(v, 2), 'add again');
  expect(kernel.violations).toEqual([]);
});
