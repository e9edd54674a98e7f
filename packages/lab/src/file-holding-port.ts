import { errno, type File, type Kernel } from '@coupling-lab/kernel';
import type { KvmVfioPort, Vm } from '@coupling-lab/kvm';

/** The three things a file-holding KVM asks VFIO, however it reaches them (symbol_get, a direct import, an ops table). */
export interface VfioFileCalls {
  /** Is this a file KVM may hold (v6.6 vfio_file_is_valid; v5.19's vfio_file_iommu_group !== NULL)? */
  isValid(file: File): boolean;
  enforcedCoherent(file: File): boolean;
  setKvm(file: File, vm: Vm | null): void;
}

/**
 * The port of every coupling in which KVM holds the group *file* (virt/kvm/vfio.c since v5.19):
 * a valid file is held with a reference of its own (get_file), released with fput; duplicates and
 * DEL match by file.
 */
export function fileHoldingPort(kernel: Kernel, calls: VfioFileCalls): KvmVfioPort<File> {
  return {
    acquire(file) {
      // "Ensure the FD is a vfio FD."
      if (!calls.isValid(file)) return -errno.EINVAL;
      kernel.fget(file);
      return file;
    },
    release: (file) => kernel.fput(file),
    same: (a, b) => a === b,
    matchesFile: (held, file) => held === file,
    isCoherent: (file) => calls.enforcedCoherent(file),
    setKvm: (file, vm) => calls.setKvm(file, vm),
  };
}
