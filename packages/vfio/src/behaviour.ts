/**
 * What a kernel version's VFIO does differently, as a few named choices (lab's `linux` versions
 * pick them). Everything else in the model is shared.
 */
export interface VfioBehaviour {
  /**
   * How others hold a group [drivers/vfio/vfio.c v5.17; drivers/vfio/group.c v5.19+]:
   * - 'v5.17': KVM is an external user (vfio_group_get_external_user): a container user of the
   *   group; the user fd's close dissolves the container; the unbind waits on container_q.
   * - 'file': KVM holds the group *file* (v5.19 on) and is no container user; the group leaves its
   *   container when its file is released; the unbind detaches it; group_lock guards the group
   *   ioctls, and device fds hold a reference on the group file.
   */
  readonly groups: 'v5.17' | 'file';
  /**
   * The lock `vfio_file_set_kvm` takes ('file' only): group_lock up to v6.2 (group_rwsem in
   * v5.19), kvm_ref_lock since 2b48f52f2bff ("vfio: fix deadlock between group lock and kvm lock").
   */
  readonly setKvmLock: 'group_lock' | 'kvm_ref_lock';
  /**
   * VFIO takes a reference on the group's VM at a device's first open and drops it at its last
   * close (vfio_device_get_kvm_safe / vfio_device_put_kvm, since 2b48f52f2bff), through the
   * strategy's reverse port.
   */
  readonly holdsVm: boolean;
  /**
   * VFIO device cdevs and iommufd (Yi Liu's cdev series, v6.6): /dev/vfio/devices/vfioN,
   * VFIO_DEVICE_BIND_IOMMUFD, /dev/iommu, and a file API that takes device files as well as
   * group files (vfio_file_is_valid). Absent: group files only, as up to v6.5.
   */
  readonly deviceCdev?: boolean;
  /**
   * With `deviceCdev` and `holdsVm`: BIND_IOMMUFD takes the file's VM only for the device's first
   * open, and its error path puts it only then (Yan Zhao's fix, "vfio: Get/put KVM only for the
   * first/last vfio_df_open/close in cdev path", June 2024, posted, not merged). Absent, as every
   * Linux since 5fcc26969a16: every bind takes it into device->kvm before vfio_df_open refuses an
   * open device, so a second cdev's failed bind overwrites the first bind's reference and puts
   * its own (or, with no VM of its own, puts the first bind's).
   */
  readonly cdevVmOnFirstOpen?: boolean;
}

/** v5.17's VFIO, what every result before the `linux` axis was about. */
export const vfioV517: VfioBehaviour = { groups: 'v5.17', setKvmLock: 'group_lock', holdsVm: false };
