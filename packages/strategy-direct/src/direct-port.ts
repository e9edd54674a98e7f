import {
  type ExternalUserApi,
  type KvmVfioPort,
  type ModuleContext,
  VFIO,
  type VfioGroup,
} from '@coupling-lab/lab';

/** The v5.17 external-user functions, resolved by kvm at load: plain direct calls. */
export function directPort(context: ModuleContext): KvmVfioPort<VfioGroup> {
  const get = context.import<ExternalUserApi['vfio_group_get_external_user']>('vfio_group_get_external_user');
  const put = context.import<ExternalUserApi['vfio_group_put_external_user']>('vfio_group_put_external_user');
  const match = context.import<ExternalUserApi['vfio_external_group_match_file']>(
    'vfio_external_group_match_file',
  );
  const setKvm = context.import<ExternalUserApi['vfio_group_set_kvm']>('vfio_group_set_kvm');
  const checkExtension = context.import<ExternalUserApi['vfio_external_check_extension']>(
    'vfio_external_check_extension',
  );
  return {
    acquire: (file) => get(file),
    release: (group) => put(group),
    same: (a, b) => a === b,
    matchesFile: (group, file) => match(group, file),
    isCoherent: (group) => checkExtension(group, VFIO.DMA_CC_IOMMU) > 0,
    setKvm: (group, vm) => setKvm(group, vm),
  };
}
