import { boot, countersDelta, errno, groupAttr, groupFd, KVM, qemuFixture } from '@coupling-lab/lab';
import { DirectStrategy } from '@coupling-lab/strategy-direct';

test('kvm cannot load without vfio: its imports are unresolved (-ENOENT) and nothing is left behind', () => {
  const sys = boot({ strategy: DirectStrategy });
  expect(sys.insmod('kvm')).toBe(-errno.ENOENT);
  expect(sys.inspect().modules).toEqual([]);
  expect(sys.modprobe('kvm')).toBe(0);
  expect(sys.inspect().modules.map((module) => module.name)).toEqual(['kvm', 'vfio']);
});

test('vfio cannot unload while kvm is loaded, even with nothing open', () => {
  const sys = boot({ strategy: 'direct' });
  sys.modprobeAll();
  expect(sys.rmmod('vfio_pci')).toBe(0);
  expect(sys.rmmod('vfio')).toBe(-errno.EWOULDBLOCK);
  expect(sys.rmmod('kvm')).toBe(0);
  expect(sys.rmmod('vfio')).toBe(0);
});

test('GROUP_ADD makes direct calls only: no symbol lookup, no module reference', () => {
  const sys = boot({ strategy: DirectStrategy });
  const fixture = qemuFixture(sys, [26]);
  const before = sys.counters;
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, 26)),
  );
  expect(countersDelta(before, sys.counters)).toMatchObject({
    symbolLookups: 0,
    moduleGets: 0,
    modulePuts: 0,
    crossModuleCalls: 3,
  });
});
