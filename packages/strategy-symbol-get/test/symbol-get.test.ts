import {
  boot,
  countersDelta,
  errno,
  groupAttr,
  groupFd,
  KVM,
  must,
  qemuFixture,
  type System,
} from '@coupling-lab/lab';
import { SymbolGetStrategy, SymbolGetV517RaceStrategy } from '@coupling-lab/strategy-symbol-get';

function addGroup(sys: System, id: number): ReturnType<typeof qemuFixture> {
  const fixture = qemuFixture(sys, [id]);
  must(
    fixture.qemu.ioctl(
      fixture.device,
      KVM.SET_DEVICE_ATTR,
      groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, id)),
    ),
    'ADD',
  );
  return fixture;
}

test('importing the package registers symbol-get and its v5.17-race variant by name', () => {
  expect(boot({ strategy: 'symbol-get' }).strategy).toBeInstanceOf(SymbolGetStrategy);
  const variant = boot({ strategy: 'symbol-get/v5.17-race' }).strategy;
  expect(variant).toBeInstanceOf(SymbolGetV517RaceStrategy);
  expect(variant.variant?.of).toBe('symbol-get');
});

test('one GROUP_ADD looks up each function it uses: get_external_user, set_kvm and check_extension', () => {
  const sys = boot({ strategy: SymbolGetStrategy });
  const fixture = qemuFixture(sys, [27]);
  const before = sys.counters;
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, 27)),
  );
  expect(countersDelta(before, sys.counters)).toMatchObject({
    symbolLookups: 3,
    moduleGets: 3,
    modulePuts: 3,
  });
});

test('KVM keeps a group reference and a container user, not the file: closing QEMU fds leaves vfio pinned only by vfio_pci', () => {
  const sys = boot({ strategy: SymbolGetStrategy });
  const fixture = addGroup(sys, 26);
  fixture.qemu.close(groupFd(fixture, 26));
  fixture.qemu.close(fixture.container);
  const vfio = sys.inspect().modules.find((module) => module.name === 'vfio');
  expect(vfio).toMatchObject({ refcount: 1, usedBy: ['vfio_pci'] });
  expect(sys.inspect().groups.find((group) => group.id === 26)).toEqual({
    id: 26,
    open: 0,
    containerUsers: 1,
    kvm: 1,
  });
  // The group stays in its container for KVM, so vfio_pci's unbind sleeps until KVM lets go.
  expect(sys.rmmod('vfio_pci')).toBe(-errno.EINPROGRESS);
  expect(sys.inspect().sleeping).toEqual([
    { syscall: 'delete_module(vfio_pci)', waitsOn: 'vfio group 26 container_q', woken: false },
  ]);
  expect(fixture.qemu.close(fixture.device)).toBe(0);
  expect(fixture.qemu.close(fixture.vm)).toBe(0);
  expect(sys.inspect().sleeping).toEqual([]);
  expect(sys.inspect().modules.map((module) => module.name)).toEqual(['kvm', 'vfio']);
});

test('without vfio a kvm-vfio device is still created, and a failed symbol_get makes GROUP_ADD -EINVAL', () => {
  const sys = boot({ strategy: SymbolGetStrategy });
  expect(sys.insmod('kvm')).toBe(0);
  const qemu = sys.spawn('qemu');
  const kvm = qemu.open('/dev/kvm');
  const device = qemu.ioctl(qemu.ioctl(kvm, KVM.CREATE_VM), KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  expect(device).toBeGreaterThanOrEqual(0);
  expect(qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, kvm))).toBe(
    -errno.EINVAL,
  );
});

test('with nothing open, kvm and vfio unload independently', () => {
  const sys = boot({ strategy: SymbolGetStrategy });
  sys.modprobeAll();
  expect(sys.rmmod('kvm')).toBe(0);
  expect(sys.rmmod('vfio_pci')).toBe(0);
  expect(sys.rmmod('vfio')).toBe(0);
});

test('symbol-get does not run on v6.6, and says why', () => {
  expect(() => boot({ strategy: SymbolGetStrategy, linux: 'v6.6' })).toThrow(
    'strategy "symbol-get" does not run on Linux v6.6: its six external-user functions',
  );
});
