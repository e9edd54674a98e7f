import { errno } from '@coupling-lab/kernel';
import { VFIO } from '@coupling-lab/vfio';
import { groupOf, ok, vfioKernel } from './helpers';

function opened() {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  return { kernel, p, container, group };
}

test('VFIO_GROUP_SET_CONTAINER attaches the group as its first container user', () => {
  const { kernel, p, container, group } = opened();
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  const vfioGroup = groupOf(kernel, 26);
  expect(vfioGroup.containerUsers).toBe(1);
  expect(vfioGroup.container?.groups.has(vfioGroup)).toBe(true);
});

test('two groups can be attached to one container', () => {
  const { kernel, p, container, group } = opened();
  const other = ok(p.open('/dev/vfio/27'), 'open 27');
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  expect(p.ioctl(other, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  expect(groupOf(kernel, 26).container).toBe(groupOf(kernel, 27).container);
});

test('VFIO_GROUP_SET_CONTAINER reading the fd from an address never handed out gives -EFAULT', () => {
  const { p, group } = opened();
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, 0x1000)).toBe(-errno.EFAULT);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userString('3'))).toBe(-errno.EFAULT);
});

test('VFIO_GROUP_SET_CONTAINER with a negative fd gives -EINVAL, as Linux checks it before fdget', () => {
  const { p, group } = opened();
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(-1))).toBe(-errno.EINVAL);
});

test('VFIO_GROUP_SET_CONTAINER with an fd that is not open gives -EBADF', () => {
  const { kernel, p, group } = opened();
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(77))).toBe(-errno.EBADF);
  expect(groupOf(kernel, 26).container).toBeNull();
});

test('VFIO_GROUP_SET_CONTAINER with an fd that is not a container gives -EINVAL and attaches nothing', () => {
  const { kernel, p, group } = opened();
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(group))).toBe(-errno.EINVAL);
  expect(groupOf(kernel, 26).containerUsers).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_VIABLE);
});

test('VFIO_GROUP_SET_CONTAINER on a group that already has container users gives -EINVAL, for any container', () => {
  const { kernel, p, container, group } = opened();
  const second = ok(p.open('/dev/vfio/vfio'), 'open second container');
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  const first = groupOf(kernel, 26).container;
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(-errno.EINVAL);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(second))).toBe(-errno.EINVAL);
  expect(groupOf(kernel, 26).container).toBe(first);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
});

test('VFIO_GROUP_SET_CONTAINER drops the container fd reference it took', () => {
  const { kernel, p, container, group } = opened();
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  expect(p.fds.get(container)?.count).toBe(1);
  expect(p.close(container)).toBe(0);
  expect(kernel.openFiles().map((file) => file.path)).toEqual(['/dev/vfio/26']);
});
