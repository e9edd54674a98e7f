import { errno, type File } from '@coupling-lab/kernel';
import type { KvmRef } from './kvm-ref.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioGroup } from './vfio-group.js';

/**
 * The file-based API Linux v5.19 gave KVM [drivers/vfio/vfio.c v5.19: vfio_file_iommu_group,
 * vfio_file_enforced_coherent, vfio_file_set_kvm]: KVM holds the group *file* and passes it back.
 *
 * Every strategy here keeps v5.17's contract (SPEC 8), so two things differ from v5.19 on
 * purpose: `vfio_file_iommu_group` accepts a group only with a container, an IOMMU set and
 * viability (else KVM's GROUP_ADD gives -EINVAL), and `vfio_file_set_kvm` counts KVM as one of
 * the group's container users while a VM is set.
 */
export interface FileApi {
  vfio_file_iommu_group(file: File): number | null;
  vfio_file_enforced_coherent(file: File): boolean;
  vfio_file_set_kvm(file: File, kvm: KvmRef | null): void;
}

/** The table `vfio_file_get_ops` returns (the seed patch's `struct vfio_file_ops`). */
export interface VfioFileOps {
  readonly is_enforced_coherent: (file: File) => boolean;
  readonly set_kvm: (file: File, kvm: KvmRef | null) => void;
  readonly get_iommu_group: (file: File) => number | null;
}

/** The file API KVM symbol_get()s on v6.6 [drivers/vfio/vfio_main.c, group.c v6.6; virt/kvm/vfio.c]. */
export interface FileApiV66 {
  /** vfio_file_is_valid: a VFIO file, and nothing more is checked (no container, no viability). */
  vfio_file_is_valid(file: File): boolean;
  vfio_file_enforced_coherent(file: File): boolean;
  vfio_file_set_kvm(file: File, kvm: KvmRef | null): void;
}

export interface GetOpsApi {
  /** Validates the file and returns its ops table, or -EINVAL for a file that is not a VFIO group file. */
  vfio_file_get_ops(file: File): VfioFileOps | number;
}

export function fileApi(core: VfioCore): FileApi {
  const kernel = core.kernel;
  const acceptedGroup = (file: File): VfioGroup | undefined => {
    const group = core.groupOfFile(file);
    if (group === undefined || group.containerUsers === 0 || core.checkExternalUser(group) < 0)
      return undefined;
    return group;
  };
  return {
    vfio_file_iommu_group(file) {
      return acceptedGroup(file)?.id ?? null;
    },
    vfio_file_enforced_coherent(file) {
      const group = core.groupOfFile(file);
      if (group === undefined) return true;
      kernel.touch(group);
      return group.container?.enforcesCoherency ?? true;
    },
    vfio_file_set_kvm(file, kvm) {
      const group = core.groupOfFile(file);
      if (group === undefined) return;
      kernel.touch(group);
      group.kvm = kvm;
      // One container user per VM that holds the group, as vfio_group_get_external_user counted one per holder.
      if (kvm !== null && group.container !== null) {
        group.kvmUsers += 1;
        group.containerUsers += 1;
      } else if (kvm === null && group.kvmUsers > 0) {
        group.kvmUsers -= 1;
        core.tryDissolveContainer(group);
      }
    },
  };
}

export function fileApiV66(core: VfioCore): FileApiV66 {
  const kernel = core.kernel;
  return {
    vfio_file_is_valid: (file) => core.groupOfFile(file) !== undefined,
    vfio_file_enforced_coherent(file) {
      // vfio_group_enforced_coherent: every registered device's IOMMU_CAP_ENFORCE_CACHE_COHERENCY;
      // "Not a vfio file": true.
      const group = core.groupOfFile(file);
      if (group === undefined) return true;
      kernel.touch(group);
      return group.deviceLock.with(() =>
        group.devices.every((device) => !device.bound || device.config.coherent),
      );
    },
    vfio_file_set_kvm(file, kvm) {
      // vfio_group_set_kvm: under kvm_ref_lock since 2b48f52f2bff, under group_lock before.
      const group = core.groupOfFile(file);
      if (group === undefined) return;
      kernel.touch(group);
      const lock = core.behaviour.setKvmLock === 'kvm_ref_lock' ? group.kvmRefLock : group.lock;
      lock.with(() => {
        group.kvm = kvm;
      });
    },
  };
}

export function getOpsApi(core: VfioCore): GetOpsApi {
  const table =
    core.behaviour.groups === 'v5.17'
      ? ((api) => ({
          is_enforced_coherent: (file: File) => api.vfio_file_enforced_coherent(file),
          set_kvm: (file: File, kvm: KvmRef | null) => api.vfio_file_set_kvm(file, kvm),
          get_iommu_group: (file: File) => api.vfio_file_iommu_group(file),
        }))(fileApi(core))
      : ((api) => ({
          is_enforced_coherent: (file: File) => api.vfio_file_enforced_coherent(file),
          set_kvm: (file: File, kvm: KvmRef | null) => api.vfio_file_set_kvm(file, kvm),
          // The table's get_ops already validated the file; the group id needs no container any more.
          get_iommu_group: (file: File) => core.groupOfFile(file)?.id ?? null,
        }))(fileApiV66(core));
  const groupOps: VfioFileOps = core.kernel.opsTable(core.module, 'vfio_group_file_ops', table);
  return {
    vfio_file_get_ops(file) {
      return core.groupOfFile(file) === undefined ? -errno.EINVAL : groupOps;
    },
  };
}
