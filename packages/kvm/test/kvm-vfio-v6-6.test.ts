import { errno, type Kernel } from '@coupling-lab/kernel';
import { KVM, kvmVfioHandles } from '@coupling-lab/kvm';
import { add, del, type FakeGroup, ok, onlyVm, rig, vmm } from './helpers';

// The two v6.x changes of virt/kvm/vfio.c the kvm-vfio device can be built with (KvmVfioOptions).

/** kv->lock's acquisitions and releases and the file puts during `run`. */
function lockAndPutPoints(kernel: Kernel, run: () => void): string[] {
  const points: string[] = [];
  kernel.hook = (point, subject) => {
    if (subject === 'kvm_vfio.lock' || (point === 'file-put' && subject.includes('fake-group')))
      points.push(`${point} ${subject}`);
  };
  run();
  kernel.hook = undefined;
  return points;
}

test('release teardown (51cdc8bc120e): closing the device fd lets every group go at once, though the VM fd stays open', () => {
  const { kernel, port } = rig({ kvmVfio: { teardown: 'release' } });
  const v = vmm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 2), 'add 2');
  expect(port.held).toBe(2);
  ok(v.p.close(v.device), 'close device');
  expect(port.held).toBe(0);
  expect(onlyVm(kernel)).toMatchObject({ devices: [], assignedDevices: 0 });
});

test('destroy teardown (v5.17): closing the device fd alone keeps the groups until the VM goes', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add 1');
  ok(v.p.close(v.device), 'close device');
  expect(port.held).toBe(1);
  ok(v.p.close(v.vm), 'close vm');
  expect(port.held).toBe(0);
});

test('coherency under kv->lock (73e2f19da508): ADD takes kv->lock once and puts its temporary file reference after it', () => {
  const v66 = rig({ kvmVfio: { coherencyUnderLock: true } });
  const a = vmm(v66.kernel);
  const withLock = lockAndPutPoints(v66.kernel, () => ok(add(a, 1), 'add 1'));
  expect(withLock).toEqual([
    'lock kvm_vfio.lock',
    'unlock kvm_vfio.lock',
    expect.stringMatching(/^file-put /),
  ]);
  const v517 = rig();
  const b = vmm(v517.kernel);
  // Before it: the temporary reference goes first, and kvm_vfio_update_coherency takes kv->lock again.
  expect(lockAndPutPoints(v517.kernel, () => ok(add(b, 1), 'add 1'))).toEqual([
    expect.stringMatching(/^file-put /),
    'lock kvm_vfio.lock',
    'unlock kvm_vfio.lock',
    'lock kvm_vfio.lock',
    'unlock kvm_vfio.lock',
  ]);
});

test('coherency under kv->lock: a non-coherent group is registered and dropped once, on ADD and DEL alike', () => {
  const { kernel, port } = rig({ kvmVfio: { coherencyUnderLock: true } });
  port.nonCoherent.add(2);
  const v = vmm(kernel);
  ok(add(v, 2), 'add 2');
  expect(onlyVm(kernel).noncoherentDma).toBe(1);
  expect(add(v, 2)).toBeLessThan(0);
  expect(port.held).toBe(1);
  ok(del(v, 2), 'del 2');
  expect(onlyVm(kernel).noncoherentDma).toBe(0);
  expect(port.held).toBe(0);
});

test('kvmVfioHandles lists what the device holds now, and nothing for a device that is not kvm-vfio', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add 1');
  ok(add(v, 3), 'add 3');
  const device = onlyVm(kernel).devices[0];
  if (device === undefined) throw new Error('no device');
  const ids = (): number[] => kvmVfioHandles(device).map((handle) => (handle as FakeGroup).id);
  expect(ids()).toEqual([1, 3]);
  ok(del(v, 1), 'del 1');
  expect(ids()).toEqual([3]);
  expect(kvmVfioHandles({ ...device, private: undefined } as typeof device)).toEqual([]);
});

test('an ioctl the device API does not know is -ENOTTY for kvm-vfio, which has no ioctl of its own', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  expect(v.p.ioctl(v.device, KVM.CREATE_VM, 0)).toBe(-errno.ENOTTY);
});
