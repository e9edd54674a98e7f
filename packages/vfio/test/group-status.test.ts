import { errno } from '@coupling-lab/kernel';
import { VFIO } from '@coupling-lab/vfio';
import { attach, groupFd, ok, vfioKernel } from './helpers';

test('VFIO_GROUP_GET_STATUS reports a bound group with no container as viable only', () => {
  const p = vfioKernel().spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_VIABLE);
});

test('VFIO_GROUP_GET_STATUS reports viable and container set once the group is attached', () => {
  const attached = attach(vfioKernel(), [26], { iommu: false });
  expect(attached.p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_STATUS)).toBe(
    VFIO.GROUP_FLAGS_VIABLE | VFIO.GROUP_FLAGS_CONTAINER_SET,
  );
});

test('an ioctl the group does not know gives -ENOTTY', () => {
  const p = vfioKernel().spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(p.ioctl(group, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(-errno.ENOTTY);
  expect(p.ioctl(group, 0xbeef)).toBe(-errno.ENOTTY);
});

test('each bound IOMMU group has a node, and a group the machine lacks has none (-ENOENT)', () => {
  const kernel = vfioKernel();
  expect(kernel.devicePaths()).toEqual(['/dev/vfio/26', '/dev/vfio/27', '/dev/vfio/vfio']);
  expect(kernel.spawn('qemu').open('/dev/vfio/99')).toBe(-errno.ENOENT);
});

test('devices sharing an IOMMU group share one group and one node', () => {
  const kernel = vfioKernel({}, [
    { address: '0000:05:00.0', iommuGroup: 5, coherent: true },
    { address: '0000:05:00.1', iommuGroup: 5, coherent: true },
  ]);
  expect(kernel.devicePaths()).toEqual(['/dev/vfio/5', '/dev/vfio/vfio']);
  const attached = attach(kernel, [5]);
  const { p } = attached;
  const group = groupFd(attached, 5);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:05:00.0'))).toBeGreaterThanOrEqual(0);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:05:00.1'))).toBeGreaterThanOrEqual(0);
});
