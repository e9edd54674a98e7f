import {
  errno,
  type File,
  type FileApi,
  type FileApiV65,
  type FileApiV66,
  fileHoldingPort,
  type Kernel,
  type KvmVfioPort,
} from '@coupling-lab/lab';

/**
 * virt/kvm/vfio.c v5.19: KVM holds the group *file* (fget on ADD, fput on DEL or destroy) and
 * symbol_get()s three VFIO functions that take it. Duplicates and DEL match by file.
 */
export function symbolGetFilePort(kernel: Kernel): KvmVfioPort<File> {
  return {
    acquire(file) {
      kernel.fget(file);
      // kvm_vfio_file_iommu_group: "Ensure the FD is a vfio group FD."
      const iommuGroup = kernel.symbolGet<FileApi['vfio_file_iommu_group']>('vfio_file_iommu_group');
      let group: number | null = null;
      if (iommuGroup !== null) {
        group = iommuGroup(file);
        kernel.symbolPut('vfio_file_iommu_group');
      }
      if (group === null) {
        kernel.fput(file);
        return -errno.EINVAL;
      }
      return file;
    },
    release: (file) => kernel.fput(file),
    same: (a, b) => a === b,
    matchesFile: (held, file) => held === file,
    isCoherent(file) {
      const coherent = kernel.symbolGet<FileApi['vfio_file_enforced_coherent']>(
        'vfio_file_enforced_coherent',
      );
      if (coherent === null) return false;
      const result = coherent(file);
      kernel.symbolPut('vfio_file_enforced_coherent');
      return result;
    },
    setKvm(file, vm) {
      const set = kernel.symbolGet<FileApi['vfio_file_set_kvm']>('vfio_file_set_kvm');
      if (set === null) return;
      set(file, vm);
      kernel.symbolPut('vfio_file_set_kvm');
    },
  };
}

/**
 * virt/kvm/vfio.c v6.6: the same coupling over v6.6's file API, symbol_get() around each call:
 * kvm_vfio_file_is_valid, kvm_vfio_file_enforced_coherent, kvm_vfio_file_set_kvm.
 */
export function symbolGetFilePortV66(kernel: Kernel): KvmVfioPort<File> {
  const call = <K extends keyof FileApiV66, R>(name: K, fallback: R, run: (fn: FileApiV66[K]) => R): R => {
    const fn = kernel.symbolGet<FileApiV66[K]>(name);
    if (fn === null) return fallback;
    const result = run(fn);
    kernel.symbolPut(name);
    return result;
  };
  return fileHoldingPort(kernel, {
    isValid: (file) => call('vfio_file_is_valid', false, (fn) => fn(file)),
    enforcedCoherent: (file) => call('vfio_file_enforced_coherent', false, (fn) => fn(file)),
    setKvm: (file, vm) => call('vfio_file_set_kvm', undefined, (fn) => fn(file, vm)),
  });
}

/**
 * virt/kvm/vfio.c v6.2 to v6.5: the same coupling before device files, kvm_vfio_file_is_group
 * symbol_get()ing vfio_file_is_group (the version the cost-of-change metric compares with).
 */
export function symbolGetFilePortV65(kernel: Kernel): KvmVfioPort<File> {
  const call = <K extends keyof FileApiV65, R>(name: K, fallback: R, run: (fn: FileApiV65[K]) => R): R => {
    const fn = kernel.symbolGet<FileApiV65[K]>(name);
    if (fn === null) return fallback;
    const result = run(fn);
    kernel.symbolPut(name);
    return result;
  };
  return fileHoldingPort(kernel, {
    isValid: (file) => call('vfio_file_is_group', false, (fn) => fn(file)),
    enforcedCoherent: (file) => call('vfio_file_enforced_coherent', false, (fn) => fn(file)),
    setKvm: (file, vm) => call('vfio_file_set_kvm', undefined, (fn) => fn(file, vm)),
  });
}
