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
  expect(add(v, 2)).toBeLessThan(0);
  expect(del(v, 3)).toBeLessThan(0);
  expect(vm.noncoherentDma).toBe(1);
});

test('every added group starts one device assignment and every deleted one ends it; failed adds count nothing', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  const vm = onlyVm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 2), 'add 2');
  expect(vm.assignedDevices).toBe(2);
  expect(add(v, 1)).toBeLessThan(0);
  port.refusal = -errno.EINVAL;
  expect(add(v, 3)).toBeLessThan(0);
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
