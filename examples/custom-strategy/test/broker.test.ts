import {
  boot,
  countersDelta,
  errno,
  groupAttr,
  groupFd,
  KVM,
  qemuFixture,
  type System,
} from '@coupling-lab/lab';
import { brokerTour, BrokerStrategy, callsTo } from '@coupling-lab/example-custom-strategy';

const refcount = (sys: System, name: string): number | undefined =>
  sys.inspect().modules.find((module) => module.name === name)?.refcount;

test('GROUP_ADD looks the service up once per group, with no symbol_get; each pins the publisher until GROUP_DEL', () => {
  const sys = boot({ strategy: BrokerStrategy });
  const fixture = qemuFixture(sys, [26, 27]);
  const { qemu } = fixture;
  const set = (attr: number, id: number): number =>
    qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, attr, groupFd(fixture, id)));
  for (const [index, id] of [26, 27].entries()) {
    const before = sys.counters;
    expect(callsTo(sys, 'broker_get', () => set(KVM.DEV_VFIO_GROUP_ADD, id))).toEqual({
      result: 0,
      calls: 1,
    });
    expect(countersDelta(before, sys.counters)).toMatchObject({
      symbolLookups: 0,
      moduleGets: 1,
      modulePuts: 0,
    });
    expect(refcount(sys, 'vfio_service')).toBe(index + 1);
  }
  // A refused ADD gives its reference back at once.
  expect(callsTo(sys, 'broker_get', () => set(KVM.DEV_VFIO_GROUP_ADD, 26))).toEqual({
    result: -errno.EEXIST,
    calls: 1,
  });
  expect(refcount(sys, 'vfio_service')).toBe(2);
  expect(callsTo(sys, 'broker_get', () => set(KVM.DEV_VFIO_GROUP_DEL, 26))).toEqual({ result: 0, calls: 0 });
  expect(refcount(sys, 'vfio_service')).toBe(1);
});

test('the publisher cannot unload while a VM uses its service; once the VM is gone it can, and GROUP_ADD is refused until it is back', () => {
  expect(brokerTour().lines.map((line) => [line.what, line.result])).toEqual([
    ['GROUP_ADD group 26', 0],
    ['rmmod vfio_service', -errno.EWOULDBLOCK],
    ['GROUP_DEL group 26', 0],
    ['rmmod vfio_service', 0],
    ['GROUP_ADD group 26', -errno.EINVAL],
    ['modprobe vfio_service', 0],
    ['GROUP_ADD group 26', 0],
  ]);
  const sys = boot({ strategy: BrokerStrategy });
  const fixture = qemuFixture(sys, [26]);
  const { qemu } = fixture;
  expect(
    qemu.ioctl(
      fixture.device,
      KVM.SET_DEVICE_ATTR,
      groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, 26)),
    ),
  ).toBe(0);
  // QEMU lets go of every VFIO fd: only KVM's references hold the publisher and vfio now.
  qemu.close(groupFd(fixture, 26));
  qemu.close(fixture.container);
  expect(sys.rmmod('vfio_service')).toBe(-errno.EWOULDBLOCK);
  qemu.close(fixture.device);
  qemu.close(fixture.vm);
  expect(sys.rmmod('vfio_service')).toBe(0);
  expect(sys.teardown()).toEqual([]);
});

test('kvm needs coupling_broker, never vfio: without VFIO a device is created and GROUP_ADD is -EINVAL', () => {
  const sys = boot({ strategy: BrokerStrategy });
  expect(sys.insmod('kvm')).toBe(-errno.ENOENT);
  expect(sys.modprobe('kvm')).toBe(0);
  expect(sys.inspect().modules.map((module) => module.name)).toEqual(['coupling_broker', 'kvm']);
  const qemu = sys.spawn('qemu');
  const kvm = qemu.open('/dev/kvm');
  const device = qemu.ioctl(qemu.ioctl(kvm, KVM.CREATE_VM), KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  expect(device).toBeGreaterThanOrEqual(0);
  expect(qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, kvm))).toBe(
    -errno.EINVAL,
  );
  expect(sys.teardown()).toEqual([]);
});
