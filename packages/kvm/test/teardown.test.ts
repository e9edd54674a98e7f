import { errno } from '@coupling-lab/kernel';
import { KVM, kvmState } from '@coupling-lab/kvm';
import { add, ok, onlyVm, refcount, rig, vmm } from './helpers';

test('closing the device fd first keeps the VM and its groups; they go when the VM fd closes', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 2), 'add 2');
  port.calls.length = 0;
  expect(v.p.close(v.device)).toBe(0);
  expect(onlyVm(kernel).devices.map((dev) => dev.ops.name)).toEqual(['kvm-vfio']);
  expect(onlyVm(kernel).assignedDevices).toBe(2);
  expect(port.calls).toEqual([]);
  expect(port.held).toBe(2);
  expect(v.p.close(v.vm)).toBe(0);
  expect(port.calls).toEqual(['set_kvm 1 null', 'release 1', 'set_kvm 2 null', 'release 2']);
  expect(port.held).toBe(0);
  expect(kvmState(kernel)?.vms).toEqual([]);
});

test('closing the VM fd first keeps the VM alive through its device fd, which still works', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add 1');
  expect(v.p.close(v.vm)).toBe(0);
  expect(kvmState(kernel)?.vms).toHaveLength(1);
  expect(add(v, 2)).toBe(0);
  expect(port.calls).not.toContain('release 1');
  expect(v.p.close(v.device)).toBe(0);
  expect(kvmState(kernel)?.vms).toEqual([]);
  expect(port.calls.slice(-4)).toEqual(['set_kvm 1 null', 'release 1', 'set_kvm 2 null', 'release 2']);
});

test('the VM is freed and its device destroyed only when the last of its fds closes', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  const [dev] = vm.devices;
  expect(vm.users).toBe(2);
  v.p.close(v.vm);
  expect(vm.freed).toBe(false);
  expect(dev?.freed).toBe(false);
  v.p.close(v.device);
  expect(vm.freed).toBe(true);
  expect(dev?.freed).toBe(true);
});

test('a VM pins kvm: rmmod kvm gives -EWOULDBLOCK while a VM fd is open, even with /dev/kvm closed', () => {
  const { kernel } = rig();
  const p = kernel.spawn('qemu');
  const devKvm = ok(p.open('/dev/kvm'), 'open /dev/kvm');
  const vm = ok(p.ioctl(devKvm, KVM.CREATE_VM), 'CREATE_VM');
  expect(p.close(devKvm)).toBe(0);
  expect(kernel.deleteModule('kvm')).toBe(-errno.EWOULDBLOCK);
  expect(p.close(vm)).toBe(0);
  expect(refcount(kernel, 'kvm')).toBe(0);
  expect(kernel.deleteModule('kvm')).toBe(0);
});

test('a device fd alone keeps the VM, and with it kvm, pinned', () => {
  const { kernel } = rig();
  const v = vmm(kernel, []);
  v.p.close(v.kvm);
  v.p.close(v.vm);
  expect(kernel.deleteModule('kvm')).toBe(-errno.EWOULDBLOCK);
  v.p.close(v.device);
  expect(kernel.deleteModule('kvm')).toBe(0);
});

test('after the process exits every reference is dropped, both modules unload and kmemleak finds nothing', () => {
  const { kernel, port } = rig();
  port.nonCoherent.add(2);
  const v = vmm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 2), 'add 2');
  expect(refcount(kernel, 'kvm')).toBeGreaterThan(0);
  expect(refcount(kernel, 'fake_vfio')).toBe(3);
  expect(v.p.exit()).toBe(0);
  expect(port.held).toBe(0);
  expect(refcount(kernel, 'kvm')).toBe(0);
  expect(refcount(kernel, 'fake_vfio')).toBe(0);
  expect(kvmState(kernel)?.vms).toEqual([]);
  expect(kernel.deleteModule('kvm')).toBe(0);
  expect(kernel.deleteModule('fake_vfio')).toBe(0);
  expect(() => kernel.checkLeaks()).not.toThrow();
  expect(kernel.violations).toEqual([]);
});
