import { errno, type File } from '@coupling-lab/kernel';
import type { DeviceFile } from './group-contract.js';
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

/**
 * The file API KVM symbol_get()s up to v6.5 [drivers/vfio/group.c, vfio_main.c v6.5; virt/kvm/vfio.c
 * kvm_vfio_file_is_group]: group files only.
 */
export interface FileApiV65 {
  /** vfio_file_is_group: a VFIO group file, and nothing more is checked (no container, no viability). */
  vfio_file_is_group(file: File): boolean;
  vfio_file_enforced_coherent(file: File): boolean;
  vfio_file_set_kvm(file: File, kvm: KvmRef | null): void;
}

/**
 * The file API KVM symbol_get()s on v6.6 [drivers/vfio/vfio_main.c v6.6; virt/kvm/vfio.c]: each
 * function takes a group file or a device file (Yi Liu's cdev series).
 */
export interface FileApiV66 {
  /** vfio_file_is_valid: vfio_group_from_file(file) || vfio_device_from_file(file). */
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
    // Stryker disable next-line ConditionalExpression: no container users means no container (attachContainer sets both, detachContainer clears both), so checkExternalUser gives the same -EINVAL
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

/** vfio_group_enforced_coherent: every registered device's IOMMU_CAP_ENFORCE_CACHE_COHERENCY, under device_lock. */
function groupEnforcedCoherent(core: VfioCore, group: VfioGroup): boolean {
  core.kernel.touch(group);
  return group.deviceLock.with(() =>
    group.devices.every((device) => !device.bound || device.config.coherent),
  );
}

/** vfio_group_set_kvm: under kvm_ref_lock since 2b48f52f2bff, under group_lock before. */
function groupSetKvm(core: VfioCore, group: VfioGroup, kvm: KvmRef | null): void {
  core.kernel.touch(group);
  const lock = core.behaviour.setKvmLock === 'kvm_ref_lock' ? group.kvmRefLock : group.lock;
  lock.with(() => {
    group.kvm = kvm;
  });
}

/** vfio_device_enforced_coherent: device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY) of the device itself. */
function deviceEnforcedCoherent(core: VfioCore, df: DeviceFile): boolean {
  core.kernel.touch(df.group);
  return df.device.config.coherent;
}

/**
 * vfio_device_file_set_kvm: df->kvm under df->kvm_ref_lock; the cdev path hands it to the device
 * at VFIO_DEVICE_BIND_IOMMUFD (a group's device fd took its VM from the group at open). A v5.17
 * device fd, which has no vfio_device_file, falls back on the group's lock.
 */
function deviceSetKvm(core: VfioCore, df: DeviceFile, kvm: KvmRef | null): void {
  core.kernel.touch(df.group);
  const lock = df.kvmRefLock ?? df.group.kvmRefLock;
  lock.with(() => {
    df.kvm = kvm;
  });
}

export function fileApiV65(core: VfioCore): FileApiV65 {
  return {
    vfio_file_is_group: (file) => core.groupOfFile(file) !== undefined,
    vfio_file_enforced_coherent(file) {
      // "Not a vfio file": true.
      const group = core.groupOfFile(file);
      return group === undefined ? true : groupEnforcedCoherent(core, group);
    },
    vfio_file_set_kvm(file, kvm) {
      const group = core.groupOfFile(file);
      if (group !== undefined) groupSetKvm(core, group, kvm);
    },
  };
}

export function fileApiV66(core: VfioCore): FileApiV66 {
  return {
    vfio_file_is_valid: (file) =>
      core.groupOfFile(file) !== undefined || core.deviceOfFile(file) !== undefined,
    vfio_file_enforced_coherent(file) {
      const group = core.groupOfFile(file);
      if (group !== undefined) return groupEnforcedCoherent(core, group);
      const df = core.deviceOfFile(file);
      if (df !== undefined) return deviceEnforcedCoherent(core, df);
      return true;
    },
    vfio_file_set_kvm(file, kvm) {
      const group = core.groupOfFile(file);
      if (group !== undefined) groupSetKvm(core, group, kvm);
      const df = core.deviceOfFile(file);
      if (df !== undefined) deviceSetKvm(core, df, kvm);
    },
  };
}

/** The seed's table for v5.17's contract: v5.19's three functions, for group files. */
function groupOpsV517(core: VfioCore): VfioFileOps {
  const api = fileApi(core);
  return {
    is_enforced_coherent: (file: File) => api.vfio_file_enforced_coherent(file),
    set_kvm: (file: File, kvm: KvmRef | null) => api.vfio_file_set_kvm(file, kvm),
    get_iommu_group: (file: File) => api.vfio_file_iommu_group(file),
  };
}

/** The group table on file-based kernels: get_ops already validated the file, the group id needs no container. */
function groupOpsFile(core: VfioCore): VfioFileOps {
  return {
    is_enforced_coherent: (file: File) => groupEnforcedCoherent(core, core.groupOfFile(file) as VfioGroup),
    set_kvm: (file: File, kvm: KvmRef | null) => groupSetKvm(core, core.groupOfFile(file) as VfioGroup, kvm),
    get_iommu_group: (file: File) => core.groupOfFile(file)?.id ?? null,
  };
}

/** The device table (Jason's "different ops returned depending on if the file is a struct vfio_group or a struct vfio_device"). */
function deviceOps(core: VfioCore): VfioFileOps {
  return {
    is_enforced_coherent: (file: File) => deviceEnforcedCoherent(core, core.deviceOfFile(file) as DeviceFile),
    set_kvm: (file: File, kvm: KvmRef | null) =>
      deviceSetKvm(core, core.deviceOfFile(file) as DeviceFile, kvm),
    get_iommu_group: (file: File) => core.deviceOfFile(file)?.group.id ?? null,
  };
}

/** The seed patch's vfio_file_get_ops, group files only (v5.17's contract, or a file-based kernel before device cdevs). */
export function getOpsApi(core: VfioCore): GetOpsApi {
  const groupOps: VfioFileOps = core.kernel.opsTable(
    core.module,
    'vfio_group_file_ops',
    core.behaviour.groups === 'v5.17' ? groupOpsV517(core) : groupOpsFile(core),
  );
  return {
    vfio_file_get_ops(file) {
      return core.groupOfFile(file) === undefined ? -errno.EINVAL : groupOps;
    },
  };
}

/** vfio_file_get_ops with device files (v6.6): a different table per file type. */
export function getOpsApiWithDevices(core: VfioCore): GetOpsApi {
  const groupOps: VfioFileOps = core.kernel.opsTable(core.module, 'vfio_group_file_ops', groupOpsFile(core));
  const devOps: VfioFileOps = core.kernel.opsTable(core.module, 'vfio_device_file_ops', deviceOps(core));
  return {
    vfio_file_get_ops(file) {
      if (core.groupOfFile(file) !== undefined) return groupOps;
      if (core.deviceOfFile(file) !== undefined) return devOps;
      return -errno.EINVAL;
    },
  };
}
