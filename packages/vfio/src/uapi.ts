/** VFIO's user API [include/uapi/linux/vfio.h]: ioctl numbers are _IO(VFIO_TYPE ';', VFIO_BASE 100 + n). */
const VFIO_TYPE = 0x3b;
const VFIO_BASE = 100;
const io = (nr: number): number => (VFIO_TYPE << 8) | (VFIO_BASE + nr);

export const VFIO = {
  API_VERSION: 0,
  GET_API_VERSION: io(0),
  CHECK_EXTENSION: io(1),
  SET_IOMMU: io(2),
  GROUP_GET_STATUS: io(3),
  GROUP_SET_CONTAINER: io(4),
  GROUP_UNSET_CONTAINER: io(5),
  GROUP_GET_DEVICE_FD: io(6),
  /** The cdev ioctls (v6.6): take an address of an int (the iommufd fd, the pt_id) and return devid / pt_id. */
  DEVICE_BIND_IOMMUFD: io(18),
  DEVICE_ATTACH_IOMMUFD_PT: io(19),
  DEVICE_DETACH_IOMMUFD_PT: io(20),
  /** Extensions and IOMMU types. */
  TYPE1_IOMMU: 1,
  SPAPR_TCE_IOMMU: 2,
  TYPE1v2_IOMMU: 3,
  DMA_CC_IOMMU: 4,
  NOIOMMU_IOMMU: 8,
  /** VFIO_GROUP_GET_STATUS flags. */
  GROUP_FLAGS_VIABLE: 1 << 0,
  GROUP_FLAGS_CONTAINER_SET: 1 << 1,
} as const;

/**
 * iommufd's user API [include/uapi/linux/iommufd.h v6.6]: _IO(IOMMUFD_TYPE ';', IOMMUFD_CMD_BASE
 * 0x80 + n). IOAS_ALLOC returns the new IOAS id (Linux fills out_ioas_id); DESTROY takes the
 * address of an int holding the object id.
 */
const IOMMUFD_CMD_BASE = 0x80;
export const IOMMUFD = {
  DESTROY: (VFIO_TYPE << 8) | IOMMUFD_CMD_BASE,
  IOAS_ALLOC: (VFIO_TYPE << 8) | (IOMMUFD_CMD_BASE + 1),
} as const;

/** The ioctls (Linux's names) the VFIO core and its iommufd answer for a version's behaviour. */
export function vfioIoctls(behaviour: { readonly deviceCdev?: boolean }): string[] {
  const groups = [
    'VFIO_GET_API_VERSION',
    'VFIO_CHECK_EXTENSION',
    'VFIO_SET_IOMMU',
    'VFIO_GROUP_GET_STATUS',
    'VFIO_GROUP_SET_CONTAINER',
    'VFIO_GROUP_UNSET_CONTAINER',
    'VFIO_GROUP_GET_DEVICE_FD',
  ];
  if (behaviour.deviceCdev !== true) return groups;
  return [
    ...groups,
    'VFIO_DEVICE_BIND_IOMMUFD',
    'VFIO_DEVICE_ATTACH_IOMMUFD_PT',
    'VFIO_DEVICE_DETACH_IOMMUFD_PT',
    'IOMMU_IOAS_ALLOC',
    'IOMMU_DESTROY',
  ];
}
