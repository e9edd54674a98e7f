import { type VfioBehaviour, vfioV517 } from '@coupling-lab/vfio';
import type { KvmVfioOptions } from '@coupling-lab/kvm';

/** The kernels a system can boot. */
export const linuxNames = ['v5.17', 'v6.6'] as const;
export type LinuxName = (typeof linuxNames)[number];

/** v5.17 unless asked: every result from before the `linux` axis stays reproducible. */
export const DEFAULT_LINUX: LinuxName = 'v5.17';

/**
 * A kernel version: a small, named set of behaviours on the one model (docs/model.md says where
 * each comes from). Strategies build their module images for it; variants may change one choice.
 */
export interface LinuxVersion {
  readonly name: LinuxName;
  readonly summary: string;
  /** close(2) releases the file at once (__fput_sync, 021a160abf62, v6.6) rather than as task work. */
  readonly closeSync: boolean;
  readonly vfio: VfioBehaviour;
  /** The kvm-vfio device's choices (set_kvm's place, teardown, coherency under kv->lock). */
  readonly kvmVfio: Required<KvmVfioOptions>;
  /** kvm exports kvm_get_kvm_safe and kvm_put_kvm for VFIO's reference on the VM. */
  readonly kvmExportsVmReference: boolean;
}

export const linuxVersions: Readonly<Record<LinuxName, LinuxVersion>> = {
  'v5.17': {
    name: 'v5.17',
    summary:
      "v5.17's VFIO contract: KVM an external user of the group (a container user), kvm-vfio's destroy, the unbind waiting on container_q",
    closeSync: false,
    vfio: vfioV517,
    kvmVfio: { setKvmOrder: 'locked', teardown: 'destroy', coherencyUnderLock: false },
    kvmExportsVmReference: false,
  },
  'v6.6': {
    name: 'v6.6',
    summary:
      "file-based VFIO: KVM holds the file (vfio_file_is_valid), VFIO holds the VM (kvm_get_kvm_safe under kvm_ref_lock), group_lock, kvm-vfio's release",
    closeSync: true,
    vfio: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: true, deviceCdev: true },
    kvmVfio: { setKvmOrder: 'locked', teardown: 'release', coherencyUnderLock: true },
    kvmExportsVmReference: true,
  },
};

export function isLinuxName(name: unknown): name is LinuxName {
  return typeof name === 'string' && (linuxNames as readonly string[]).includes(name);
}
