/** What VFIO knows of a VM handed to `set_kvm`: an opaque `struct kvm *`, named here by its id. */
export interface KvmRef {
  readonly id: number;
}
