import { errno } from '@coupling-lab/kernel';
import { add, del, ok, onlyVm, rig, vmm } from './helpers';

test('adding only coherent groups registers no noncoherent DMA', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  expect(onlyVm(kernel).noncoherentDma).toBe(0);
});

test('noncoherent DMA is registered once per transition, not once per non-coherent group', () => {
  const { kernel, port } = rig();
  port.nonCoherent.add(2);
  port.nonCoherent.add(3);
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 2), 'add 2');
  expect(vm.noncoherentDma).toBe(1);
  ok(add(v, 3), 'add 3');
  expect(vm.noncoherentDma).toBe(1);
  ok(del(v, 2), 'del 2');
  expect(vm.noncoherentDma).toBe(1);
  ok(del(v, 3), 'del 3');
  expect(vm.noncoherentDma).toBe(0);
});

test('a coherent group next to a non-coherent one neither registers nor keeps noncoherent DMA', () => {
  const { kernel, port } = rig();
  port.nonCoherent.add(2);
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 1), 'add 1');
  expect(vm.noncoherentDma).toBe(0);
  ok(add(v, 2), 'add 2');
  expect(vm.noncoherentDma).toBe(1);
  ok(del(v, 2), 'del 2');
  expect(vm.noncoherentDma).toBe(0);
  ok(del(v, 1), 'del 1');
  expect(vm.noncoherentDma).toBe(0);
});

test('every add and del re-tests every group, so a group whose coherency changed is noticed', () => {
  const { kernel, port } = rig();
  port.nonCoherent.add(2);
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 2), 'add 2');
  expect(vm.noncoherentDma).toBe(1);
  port.nonCoherent.delete(2);
  ok(add(v, 1), 'add 1');
  expect(vm.noncoherentDma).toBe(0);
});

test('a failed add or del does not change noncoherent DMA', () => {
  const { kernel, port } = rig();
  port.nonCoherent.add(2);
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 2), 'add 2');
  // kvm_vfio_set_group [virt/kvm/vfio.c]: a group already listed -EEXIST, one never added -ENOENT.
  expect(add(v, 2)).toBe(-errno.EEXIST);
  expect(del(v, 3)).toBe(-errno.ENOENT);
  expect(vm.noncoherentDma).toBe(1);
});

test('every added group starts one device assignment and every deleted one ends it; failed adds count nothing', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 2), 'add 2');
  expect(vm.assignedDevices).toBe(2);
  expect(add(v, 1)).toBe(-errno.EEXIST);
  // The VFIO side's refusal (vfio_group_get_external_user) is passed through as it is.
  port.refusal = -errno.EINVAL;
  expect(add(v, 3)).toBe(-errno.EINVAL);
  expect(vm.assignedDevices).toBe(2);
  ok(del(v, 1), 'del 1');
  expect(vm.assignedDevices).toBe(1);
  ok(del(v, 2), 'del 2');
  expect(vm.assignedDevices).toBe(0);
});

test('destroying the VM ends every assignment and unregisters noncoherent DMA', () => {
  const { kernel, port } = rig();
  port.nonCoherent.add(3);
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 3), 'add 3');
  expect(vm.noncoherentDma).toBe(1);
  v.p.close(v.device);
  v.p.close(v.vm);
  expect(vm.assignedDevices).toBe(0);
  expect(vm.noncoherentDma).toBe(0);
});
