import { errno, type Kernel } from '@coupling-lab/kernel';
import { type ExternalUserApi, VFIO, type VfioGroup } from '@coupling-lab/vfio';
import { attach, fileOf, groupOf, ok, vfioKernel } from './helpers';

// drivers/vfio/vfio.c v5.17's group rules, each answer checked where the shared suites do not.

const externalUser = (kernel: Kernel): ExternalUserApi => {
  const get = <K extends keyof ExternalUserApi>(name: K): ExternalUserApi[K] => {
    const fn = kernel.symbolGet<ExternalUserApi[K]>(name);
    if (fn === null) throw new Error(`no ${name}`);
    return fn;
  };
  return {
    vfio_group_get_external_user: get('vfio_group_get_external_user'),
    vfio_group_put_external_user: get('vfio_group_put_external_user'),
    vfio_external_group_match_file: get('vfio_external_group_match_file'),
    vfio_group_set_kvm: get('vfio_group_set_kvm'),
    vfio_external_check_extension: get('vfio_external_check_extension'),
    vfio_external_user_iommu_id: get('vfio_external_user_iommu_id'),
  };
};

test('vfio_group_fops_open: a second open is -EBUSY, and so is an open while a device fd still holds the container', () => {
  const kernel = vfioKernel();
  const { p, groups } = attach(kernel, [26]);
  const group = groups.get(26) ?? -1;
  expect(p.open('/dev/vfio/26')).toBe(-errno.EBUSY);
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  ok(p.close(group), 'close group');
  // The device fd is a container user: the group is still in its container.
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
  expect(p.open('/dev/vfio/26')).toBe(-errno.EBUSY);
  ok(p.close(device), 'close device');
  expect(groupOf(kernel, 26).container).toBeNull();
  expect(p.open('/dev/vfio/26')).toBeGreaterThanOrEqual(0);
});

test('vfio_group_fops_open: one open at a time even outside a container (atomic_cmpxchg(&group->opened, 0, 1))', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(groupOf(kernel, 26).container).toBeNull();
  expect(p.open('/dev/vfio/26')).toBe(-errno.EBUSY);
  ok(p.close(group), 'close');
  expect(p.open('/dev/vfio/26')).toBeGreaterThanOrEqual(0);
});

test('SET_CONTAINER: a negative fd is -EINVAL before anything, fd 0 (not open) -EBADF; GET_DEVICE_FD without a container -EINVAL', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(-1))).toBe(-errno.EINVAL);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(0))).toBe(-errno.EBADF);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0'))).toBe(-errno.EINVAL);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, 0xdead_beef)).toBe(-errno.EFAULT);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, 0xdead_beef)).toBe(-errno.EFAULT);
});

test('the external-user API: a bare group or one without an IOMMU is -EINVAL; check_extension outside a container is 0', () => {
  const kernel = vfioKernel();
  const api = externalUser(kernel);
  const bare = kernel.spawn('bare');
  const lone = ok(bare.open('/dev/vfio/27'), 'open 27');
  expect(api.vfio_group_get_external_user(fileOf(bare, lone))).toBe(-errno.EINVAL);
  const noIommu = attach(kernel, [26], { iommu: false });
  expect(api.vfio_group_get_external_user(fileOf(noIommu.p, noIommu.groups.get(26) ?? -1))).toBe(
    -errno.EINVAL,
  );
  expect(api.vfio_external_check_extension(groupOf(kernel, 27), VFIO.TYPE1v2_IOMMU)).toBe(0);
  ok(noIommu.p.ioctl(noIommu.container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const taken = api.vfio_group_get_external_user(
    fileOf(noIommu.p, noIommu.groups.get(26) ?? -1),
  ) as VfioGroup;
  expect(taken.id).toBe(26);
  expect(api.vfio_external_check_extension(taken, VFIO.TYPE1v2_IOMMU)).toBe(1);
  expect(api.vfio_external_check_extension(taken, VFIO.DMA_CC_IOMMU)).toBe(1);
  expect(api.vfio_external_user_iommu_id(taken)).toBe(26);
  api.vfio_group_put_external_user(taken);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
});

test('a group of two devices is coherent only if both are; CHECK_EXTENSION answers the types type1 knows and 0 for NOIOMMU', () => {
  const kernel = vfioKernel({}, [
    { address: '0000:05:00.0', iommuGroup: 30, coherent: true },
    { address: '0000:05:00.1', iommuGroup: 30, coherent: false },
    { address: '0000:06:00.0', iommuGroup: 31, coherent: true },
  ]);
  expect(groupOf(kernel, 30).coherent).toBe(false);
  expect(groupOf(kernel, 31).coherent).toBe(true);
  const { p, container } = attach(kernel, [31]);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(1);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.NOIOMMU_IOMMU)).toBe(0);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.TYPE1_IOMMU)).toBe(1);
  expect(p.ioctl(container, VFIO.GET_API_VERSION)).toBe(VFIO.API_VERSION);
  // Both devices of group 30 are viable, and GET_DEVICE_FD finds each by name.
  const two = attach(kernel, [30]);
  const fd = two.groups.get(30) ?? -1;
  expect(two.p.ioctl(fd, VFIO.GROUP_GET_DEVICE_FD, two.p.userString('0000:05:00.1'))).toBeGreaterThanOrEqual(
    0,
  );
  expect(two.p.ioctl(fd, VFIO.GROUP_GET_DEVICE_FD, two.p.userString('0000:06:00.0'))).toBe(-errno.ENODEV);
});
