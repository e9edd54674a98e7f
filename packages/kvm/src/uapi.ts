/** KVM's user API [include/uapi/linux/kvm.h]. Ioctl numbers are the real _IO/_IOW/_IOWR encodings. */
const KVMIO = 0xae;
const io = (nr: number): number => (KVMIO << 8) | nr;
const iow = (nr: number, size: number): number => ((1 << 30) | (size << 16) | (KVMIO << 8) | nr) >>> 0;
const iowr = (nr: number, size: number): number => ((3 << 30) | (size << 16) | (KVMIO << 8) | nr) >>> 0;

export const KVM = {
  API_VERSION: 12,
  GET_API_VERSION: io(0x00),
  CREATE_VM: io(0x01),
  CREATE_DEVICE: iowr(0xe0, 12),
  SET_DEVICE_ATTR: iow(0xe1, 24),
  GET_DEVICE_ATTR: iow(0xe2, 24),
  HAS_DEVICE_ATTR: iow(0xe3, 24),
  CREATE_DEVICE_TEST: 1,
  /** enum kvm_device_type (v5.17): VFIO is 4; the ops table has KVM_DEV_TYPE_MAX slots. */
  DEV_TYPE_VFIO: 4,
  DEV_TYPE_MAX: 11,
  DEV_VFIO_GROUP: 1,
  DEV_VFIO_GROUP_ADD: 1,
  DEV_VFIO_GROUP_DEL: 2,
  DEV_VFIO_GROUP_SET_SPAPR_TCE: 3,
  /** v6.6's names (Yi Liu's cdev series): the same values, for files that may be device files too. */
  DEV_VFIO_FILE: 1,
  DEV_VFIO_FILE_ADD: 1,
  DEV_VFIO_FILE_DEL: 2,
} as const;

/** `struct kvm_device_attr`, passed by value in the model. */
export interface KvmDeviceAttr {
  readonly group: number;
  readonly attr: number;
  readonly addr: number;
}

/** `struct kvm_create_device`. */
export interface KvmCreateDevice {
  readonly type: number;
  readonly flags?: number;
}
