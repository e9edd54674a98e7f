import { errno } from '@coupling-lab/kernel';
import { VFIO } from '@coupling-lab/vfio';
import { attach, groupFd, groupOf, ok, vfioKernel } from './helpers';

test('VFIO_GROUP_GET_DEVICE_FD returns a new fd, one more container user and one more group reference', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const before = groupOf(kernel, 26).refs.count;
  const device = p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0'));
  expect(device).toBe(5);
  expect(p.fds.get(device)?.fops.name).toBe('vfio-device');
  expect(groupOf(kernel, 26).containerUsers).toBe(2);
  expect(groupOf(kernel, 26).refs.count).toBe(before + 1);
});

test('VFIO_GROUP_GET_DEVICE_FD on a group with no container gives -EINVAL', () => {
  const p = vfioKernel().spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0'))).toBe(-errno.EINVAL);
});

test('VFIO_GROUP_GET_DEVICE_FD on a group whose container has no IOMMU set gives -EINVAL', () => {
  const attached = attach(vfioKernel(), [26], { iommu: false });
  const { p } = attached;
  expect(p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0'))).toBe(
    -errno.EINVAL,
  );
});

test('VFIO_GROUP_GET_DEVICE_FD on a group that is not viable gives -EINVAL', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  // An unbound group may still join a container (Linux does not check viability there).
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_CONTAINER_SET);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0'))).toBe(-errno.EINVAL);
});

test('VFIO_GROUP_GET_DEVICE_FD naming a device that is not in the group gives -ENODEV', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const group = groupFd(attached, 26);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:02:00.0'))).toBe(-errno.ENODEV);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('no such device'))).toBe(-errno.ENODEV);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
});

test('VFIO_GROUP_GET_DEVICE_FD reading the name from an address that holds no string gives -EFAULT', () => {
  const attached = attach(vfioKernel(), [26]);
  const { p } = attached;
  const group = groupFd(attached, 26);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, 0x1000)).toBe(-errno.EFAULT);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userInt32(0))).toBe(-errno.EFAULT);
});
