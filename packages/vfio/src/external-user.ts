import { errno, type File } from '@coupling-lab/kernel';
import type { KvmRef } from './kvm-ref.js';
import { VFIO } from './uapi.js';
import type { VfioCore } from './vfio-core.js';
import type { VfioGroup } from './vfio-group.js';

/**
 * The external-user API KVM used up to Linux v5.18 [drivers/vfio/vfio.c v5.17]: KVM turns a
 * group file into a group reference plus a container user, and talks to the group from then on.
 */
export interface ExternalUserApi {
  vfio_group_get_external_user(file: File): VfioGroup | number;
  vfio_group_put_external_user(group: VfioGroup): void;
  vfio_external_group_match_file(group: VfioGroup, file: File): boolean;
  vfio_group_set_kvm(group: VfioGroup, kvm: KvmRef | null): void;
  vfio_external_check_extension(group: VfioGroup, extension: number): number;
  vfio_external_user_iommu_id(group: VfioGroup): number;
}

export function externalUserApi(core: VfioCore): ExternalUserApi {
  const kernel = core.kernel;
  return {
    vfio_group_get_external_user(file) {
      const group = core.groupOfFile(file);
      if (group === undefined) return -errno.EINVAL;
      // vfio_group_add_container_user: atomic_inc_not_zero(container_users), then the IOMMU and viability checks.
      // Stryker disable next-line ConditionalExpression: no container users means no container (attachContainer sets both, detachContainer clears both), so checkExternalUser gives the same -EINVAL
      if (group.containerUsers === 0) return -errno.EINVAL;
      const acceptable = core.checkExternalUser(group);
      if (acceptable < 0) return acceptable;
      group.containerUsers += 1;
      core.groupGet(group);
      return group;
    },
    vfio_group_put_external_user(group) {
      kernel.touch(group);
      core.tryDissolveContainer(group);
      core.groupPut(group);
    },
    vfio_external_group_match_file(group, file) {
      kernel.touch(group);
      return core.groupOfFile(file) === group;
    },
    vfio_group_set_kvm(group, kvm) {
      kernel.touch(group);
      group.kvm = kvm;
    },
    vfio_external_check_extension(group, extension) {
      kernel.touch(group);
      if (group.container === null) return 0;
      return extension === VFIO.DMA_CC_IOMMU ? (group.container.enforcesCoherency ? 1 : 0) : 1;
    },
    vfio_external_user_iommu_id(group) {
      kernel.touch(group);
      return group.id;
    },
  };
}
