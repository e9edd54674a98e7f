import { boot, KVM, VFIO } from '@coupling-lab/lab';
import { DirectStrategy } from '@coupling-lab/strategy-direct';

test("QEMU's VFIO + KVM sequence runs end to end with direct, and everything unloads cleanly afterwards", () => {
  const sys = boot({ strategy: DirectStrategy });
  expect(sys.modprobeAll()).toBe(0);
  const qemu = sys.spawn('qemu');

  const group = qemu.open('/dev/vfio/26');
  expect(group).toBeGreaterThanOrEqual(0);
  expect(qemu.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_VIABLE);
  const container = qemu.open('/dev/vfio/vfio');
  expect(qemu.ioctl(container, VFIO.GET_API_VERSION)).toBe(VFIO.API_VERSION);
  expect(qemu.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.TYPE1v2_IOMMU)).toBe(1);
  expect(qemu.ioctl(group, VFIO.GROUP_SET_CONTAINER, qemu.userInt32(container))).toBe(0);
  expect(qemu.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(0);
  const vm = qemu.ioctl(qemu.open('/dev/kvm'), KVM.CREATE_VM);
  expect(vm).toBeGreaterThanOrEqual(0);
  const dev = qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  expect(dev).toBeGreaterThanOrEqual(0);
  const add = { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_ADD, addr: qemu.userInt32(group) };
  expect(qemu.ioctl(dev, KVM.SET_DEVICE_ATTR, add)).toBe(0);
  const deviceFd = qemu.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, qemu.userString('0000:01:00.0'));
  expect(deviceFd).toBeGreaterThanOrEqual(0);

  expect(sys.inspect().groups).toEqual([
    { id: 26, open: 1, containerUsers: 3, kvm: 1 },
    { id: 27, open: 0, containerUsers: 0, kvm: null },
  ]);
  expect(sys.inspect().vms).toEqual([
    { id: 1, devices: ['kvm-vfio'], assignedDevices: 1, noncoherentDma: 0 },
  ]);

  const del = { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_DEL, addr: qemu.userInt32(group) };
  expect(qemu.ioctl(dev, KVM.SET_DEVICE_ATTR, del)).toBe(0);
  expect(qemu.close(deviceFd)).toBe(0);
  expect(qemu.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  expect(qemu.close(group)).toBe(0);
  expect(qemu.close(container)).toBe(0);
  expect(sys.inspect().groups[0]).toEqual({ id: 26, open: 0, containerUsers: 0, kvm: null });

  qemu.exit();
  expect(sys.teardown()).toEqual([]);
  expect(sys.inspect().modules).toEqual([]);
  expect(sys.inspect().violations).toEqual([]);
});
