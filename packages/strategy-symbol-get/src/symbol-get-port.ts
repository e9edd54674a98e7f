import {
  errno,
  type ExternalUserApi,
  type Kernel,
  type KvmVfioPort,
  VFIO,
  type VfioGroup,
} from '@coupling-lab/lab';

type Api = ExternalUserApi;

/**
 * virt/kvm/vfio.c v5.17: every call to VFIO is wrapped in symbol_get() ... symbol_put(), and a
 * failed lookup degrades as the kernel did: add -EINVAL, match false, coherency "not coherent",
 * put and set_kvm skipped (the reference leaks).
 */
export function symbolGetPort(kernel: Kernel): KvmVfioPort<VfioGroup> {
  return {
    acquire(file) {
      const get = kernel.symbolGet<Api['vfio_group_get_external_user']>('vfio_group_get_external_user');
      if (get === null) return -errno.EINVAL;
      const group = get(file);
      kernel.symbolPut('vfio_group_get_external_user');
      return group;
    },
    release(group) {
      const put = kernel.symbolGet<Api['vfio_group_put_external_user']>('vfio_group_put_external_user');
      if (put === null) return;
      put(group);
      kernel.symbolPut('vfio_group_put_external_user');
    },
    same: (a, b) => a === b,
    matchesFile(group, file) {
      const match = kernel.symbolGet<Api['vfio_external_group_match_file']>('vfio_external_group_match_file');
      if (match === null) return false;
      const matches = match(group, file);
      kernel.symbolPut('vfio_external_group_match_file');
      return matches;
    },
    isCoherent(group) {
      const check = kernel.symbolGet<Api['vfio_external_check_extension']>('vfio_external_check_extension');
      if (check === null) return false;
      const coherent = check(group, VFIO.DMA_CC_IOMMU) > 0;
      kernel.symbolPut('vfio_external_check_extension');
      return coherent;
    },
    setKvm(group, vm) {
      const set = kernel.symbolGet<Api['vfio_group_set_kvm']>('vfio_group_set_kvm');
      if (set === null) return;
      set(group, vm);
      kernel.symbolPut('vfio_group_set_kvm');
    },
  };
}
