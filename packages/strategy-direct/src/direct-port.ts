import {
  type ExternalUserApi,
  type File,
  type FileApiV65,
  type FileApiV66,
  fileHoldingPort,
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

/** v6.5's file functions (group files only), resolved by kvm at load. */
export function directFilePortV65(context: ModuleContext): KvmVfioPort<File> {
  return fileHoldingPort(context.kernel, {
    isValid: context.import<FileApiV65['vfio_file_is_group']>('vfio_file_is_group'),
    enforcedCoherent: context.import<FileApiV65['vfio_file_enforced_coherent']>(
      'vfio_file_enforced_coherent',
    ),
    setKvm: context.import<FileApiV65['vfio_file_set_kvm']>('vfio_file_set_kvm'),
  });
}

/** v6.6's file functions, resolved by kvm at load: KVM holds the file and calls VFIO directly. */
export function directFilePort(context: ModuleContext): KvmVfioPort<File> {
  return fileHoldingPort(context.kernel, {
    isValid: context.import<FileApiV66['vfio_file_is_valid']>('vfio_file_is_valid'),
    enforcedCoherent: context.import<FileApiV66['vfio_file_enforced_coherent']>(
      'vfio_file_enforced_coherent',
    ),
    setKvm: context.import<FileApiV66['vfio_file_set_kvm']>('vfio_file_set_kvm'),
  });
}
