import { IOMMUFD, VFIO, vfioIoctls } from '@coupling-lab/vfio';

test("VFIO's and iommufd's ioctl numbers are Linux's _IO(';', base + n), as strace shows them", () => {
  // include/uapi/linux/vfio.h: VFIO_BASE 100, so VFIO_GET_API_VERSION is 0x3b64.
  expect([
    VFIO.GET_API_VERSION,
    VFIO.CHECK_EXTENSION,
    VFIO.SET_IOMMU,
    VFIO.GROUP_GET_STATUS,
    VFIO.GROUP_SET_CONTAINER,
    VFIO.GROUP_UNSET_CONTAINER,
    VFIO.GROUP_GET_DEVICE_FD,
  ]).toEqual([0x3b64, 0x3b65, 0x3b66, 0x3b67, 0x3b68, 0x3b69, 0x3b6a]);
  expect([VFIO.DEVICE_BIND_IOMMUFD, VFIO.DEVICE_ATTACH_IOMMUFD_PT, VFIO.DEVICE_DETACH_IOMMUFD_PT]).toEqual([
    0x3b76, 0x3b77, 0x3b78,
  ]);
  // include/uapi/linux/iommufd.h: IOMMUFD_CMD_BASE 0x80, DESTROY first, IOAS_ALLOC next.
  expect([IOMMUFD.DESTROY, IOMMUFD.IOAS_ALLOC]).toEqual([0x3b80, 0x3b81]);
});

test('vfioIoctls names, by their Linux names, the ioctls the model answers: the cdev and iommufd ones only with device cdevs', () => {
  const number = (name: string): number | undefined =>
    name.startsWith('VFIO_')
      ? (VFIO as Record<string, number>)[name.slice('VFIO_'.length)]
      : (IOMMUFD as Record<string, number>)[name.slice('IOMMU_'.length)];
  const groups = vfioIoctls({});
  const cdevs = vfioIoctls({ deviceCdev: true });
  expect(groups.map(number)).toEqual([0x3b64, 0x3b65, 0x3b66, 0x3b67, 0x3b68, 0x3b69, 0x3b6a]);
  expect(vfioIoctls({ deviceCdev: false })).toEqual(groups);
  expect(cdevs.slice(0, groups.length)).toEqual(groups);
  expect(cdevs.slice(groups.length).map(number)).toEqual([0x3b76, 0x3b77, 0x3b78, 0x3b81, 0x3b80]);
});
