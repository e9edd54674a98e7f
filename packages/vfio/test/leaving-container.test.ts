import { errno } from '@coupling-lab/kernel';
import { VFIO } from '@coupling-lab/vfio';
import { attach, groupFd, groupOf, ok, refcount, vfioKernel } from './helpers';

test('closing the last group fd leaves the container, and the last group out unsets the IOMMU', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p, container } = attached;
  const group = groupOf(kernel, 26);
  const vfioContainer = group.container;
  expect(p.close(groupFd(attached, 26))).toBe(0);
  expect(group.container).toBeNull();
  expect(group.containerUsers).toBe(0);
  expect(vfioContainer?.groups.size).toBe(0);
  expect(vfioContainer?.iommuType).toBeNull();
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(-errno.EINVAL);
});

test('with a device fd open, closing the group fd keeps the group in its container until the device fd closes', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const device = ok(
    p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')),
    'GET_DEVICE_FD',
  );
  const group = groupOf(kernel, 26);
  expect(p.close(groupFd(attached, 26))).toBe(0);
  expect(group.container).not.toBeNull();
  expect(group.containerUsers).toBe(1);
  expect(p.close(device)).toBe(0);
  expect(group.container).toBeNull();
  expect(group.containerUsers).toBe(0);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
});

test('closing the device fd first, then the group fd, also leaves the container', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const device = ok(
    p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')),
    'GET_DEVICE_FD',
  );
  const group = groupOf(kernel, 26);
  expect(p.close(device)).toBe(0);
  expect(group.containerUsers).toBe(1);
  expect(p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_STATUS)).toBe(
    VFIO.GROUP_FLAGS_VIABLE | VFIO.GROUP_FLAGS_CONTAINER_SET,
  );
  expect(p.close(groupFd(attached, 26))).toBe(0);
  expect(group.container).toBeNull();
});

test('one group leaving keeps the container and its IOMMU for the groups still in it', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26, 27]);
  const { p, container } = attached;
  expect(p.close(groupFd(attached, 27))).toBe(0);
  expect(groupOf(kernel, 27).container).toBeNull();
  expect(groupOf(kernel, 26).container?.iommuType).toBe(VFIO.TYPE1v2_IOMMU);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(1);
});

test('a group is freed once its last file closes after vfio_pci let it go', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const fd = ok(p.open('/dev/vfio/26'), 'open');
  const group = groupOf(kernel, 26);
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  expect(group.refs.count).toBe(1);
  expect(p.close(fd)).toBe(0);
  expect(group.freed).toBe(true);
  expect(kernel.deleteModule('vfio')).toBe(0);
});
