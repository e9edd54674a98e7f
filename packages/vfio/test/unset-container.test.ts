import { errno } from '@coupling-lab/kernel';
import { type ExternalUserApi, VFIO } from '@coupling-lab/vfio';
import { attach, fileOf, groupFd, groupOf, ok, vfioKernel } from './helpers';

test('VFIO_GROUP_UNSET_CONTAINER on a group with no container gives -EINVAL', () => {
  const p = vfioKernel().spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(-errno.EINVAL);
});

test('VFIO_GROUP_UNSET_CONTAINER detaches a group whose fd is its only container user', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const group = groupFd(attached, 26);
  expect(attached.p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  expect(attached.p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_VIABLE);
  expect(groupOf(kernel, 26).containerUsers).toBe(0);
  expect(attached.p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(-errno.EINVAL);
});

test('VFIO_GROUP_UNSET_CONTAINER gives -EBUSY while a device fd is open, and works once it is closed', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const group = groupFd(attached, 26);
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(-errno.EBUSY);
  expect(groupOf(kernel, 26).containerUsers).toBe(2);
  expect(p.close(device)).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
});

test('VFIO_GROUP_UNSET_CONTAINER gives -EBUSY while an external user holds the group, and works once it is put', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const group = groupFd(attached, 26);
  const get = kernel.symbolGet<ExternalUserApi['vfio_group_get_external_user']>(
    'vfio_group_get_external_user',
  );
  const put = kernel.symbolGet<ExternalUserApi['vfio_group_put_external_user']>(
    'vfio_group_put_external_user',
  );
  if (get === null || put === null) throw new Error('vfio does not export the external-user API');
  const held = get(fileOf(p, group));
  if (typeof held === 'number') throw new Error(`vfio_group_get_external_user failed with ${held}`);
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(-errno.EBUSY);
  put(held);
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  kernel.symbolPut('vfio_group_get_external_user');
  kernel.symbolPut('vfio_group_put_external_user');
});
