import {
  errno,
  type File,
  type GetOpsApi,
  type Kernel,
  type KvmVfioPort,
  type VfioFileOps,
} from '@coupling-lab/lab';

/** What KVM keeps per added group: the file and the ops table VFIO gave for it. */
export interface GetOpsHandle {
  readonly file: File;
  readonly ops: VfioFileOps;
}

/**
 * The seed patch [vfio: Use a struct of function pointers instead of a many symbol_get()'s]: one
 * symbol_get of vfio_file_get_ops() per ADD, symbol_put at once, then calls through the table.
 * KVM holds the file; the held file (its fops owner) is what pins vfio while KVM keeps the table.
 * `holdFile: false` is the get-ops/no-file-ref mistake: a bare file pointer, no reference.
 */
export function getOpsPort(
  kernel: Kernel,
  options: { holdFile: boolean; askIommuGroup: boolean },
): KvmVfioPort<GetOpsHandle> {
  return {
    acquire(file) {
      const getOps = kernel.symbolGet<GetOpsApi['vfio_file_get_ops']>('vfio_file_get_ops');
      if (getOps === null) return -errno.EINVAL;
      const ops = getOps(file);
      kernel.symbolPut('vfio_file_get_ops');
      if (typeof ops === 'number') return ops;
      // v5.17's contract: only a group with a container, an IOMMU and viability (see vfio's file-api.ts).
      if (options.askIommuGroup && ops.get_iommu_group(file) === null) return -errno.EINVAL;
      if (options.holdFile) kernel.fget(file);
      return { file, ops };
    },
    release(handle) {
      if (options.holdFile) kernel.fput(handle.file);
    },
    same: (a, b) => a.file === b.file,
    matchesFile: (handle, file) => handle.file === file,
    isCoherent: (handle) => handle.ops.is_enforced_coherent(handle.file),
    setKvm: (handle, vm) => handle.ops.set_kvm(handle.file, vm),
  };
}
