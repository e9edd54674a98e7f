import { boot, countersDelta, groupAttr, groupFd, KVM, qemuFixture } from '@coupling-lab/lab';
import { SymbolGetFileStrategy, SymbolGetFileV519RaceStrategy } from '@coupling-lab/strategy-symbol-get-file';

test('importing the package registers symbol-get-file and its v5.19-race variant by name', () => {
  expect(boot({ strategy: 'symbol-get-file' }).strategy).toBeInstanceOf(SymbolGetFileStrategy);
  expect(boot({ strategy: 'symbol-get-file/v5.19-race' }).strategy).toBeInstanceOf(
    SymbolGetFileV519RaceStrategy,
  );
});

test('GROUP_ADD looks up its three file functions, and GROUP_DEL only set_kvm, because KVM matches by file', () => {
  const sys = boot({ strategy: SymbolGetFileStrategy });
  const { qemu, device, ...fixture } = qemuFixture(sys, [27]);
  const group = groupFd({ qemu, device, ...fixture }, 27);
  const beforeAdd = sys.counters;
  qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, group));
  expect(countersDelta(beforeAdd, sys.counters)).toMatchObject({
    symbolLookups: 3,
    moduleGets: 3,
    modulePuts: 3,
  });
  const beforeDel = sys.counters;
  qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_DEL, group));
  expect(countersDelta(beforeDel, sys.counters).symbolLookups).toBe(1);
});

test('KVM holds the group file, so vfio stays pinned by it after QEMU closes its fds', () => {
  const sys = boot({ strategy: SymbolGetFileStrategy });
  const fixture = qemuFixture(sys, [26]);
  const group = groupFd(fixture, 26);
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, group),
  );
  fixture.qemu.close(group);
  fixture.qemu.close(fixture.container);
  expect(sys.inspect().modules.find((module) => module.name === 'vfio')?.refcount).toBe(2);
  expect(sys.inspect().groups.find((entry) => entry.id === 26)).toEqual({
    id: 26,
    open: 0,
    containerUsers: 1,
    kvm: 1,
  });
  fixture.qemu.exit();
  expect(sys.inspect().modules.find((module) => module.name === 'vfio')?.refcount).toBe(1);
});
