import type { ExportDecl } from '@coupling-lab/kernel';
import { externalUserApi } from './external-user.js';
import { fileApi, fileApiV65, fileApiV66, getOpsApi, getOpsApiWithDevices } from './file-api.js';
import type { VfioCore } from './vfio-core.js';

/** A set of symbols vfio exports for another module, and how their values are made from the loaded core. */
export interface VfioExportPlan {
  readonly name: string;
  readonly exports: Readonly<Record<string, ExportDecl>>;
  values(core: VfioCore): Readonly<Record<string, unknown>>;
}

const gpl = (names: readonly string[]): Record<string, ExportDecl> =>
  Object.fromEntries(names.map((name) => [name, { gpl: true }]));

/** Linux v5.17: the six external-user functions KVM symbol_get()s. */
export const externalUserExports: VfioExportPlan = {
  name: 'external-user',
  exports: gpl([
    'vfio_group_get_external_user',
    'vfio_group_put_external_user',
    'vfio_external_group_match_file',
    'vfio_group_set_kvm',
    'vfio_external_check_extension',
    'vfio_external_user_iommu_id',
  ]),
  values: (core) => ({ ...externalUserApi(core) }),
};

/** Linux v5.19: three functions taking the group file. */
export const fileExports: VfioExportPlan = {
  name: 'file',
  exports: gpl(['vfio_file_iommu_group', 'vfio_file_enforced_coherent', 'vfio_file_set_kvm']),
  values: (core) => ({ ...fileApi(core) }),
};

/** Linux v6.2 to v6.5: KVM validates with vfio_file_is_group; group files only. */
export const fileExportsV65: VfioExportPlan = {
  name: 'file (v6.5, group files)',
  exports: gpl(['vfio_file_is_group', 'vfio_file_enforced_coherent', 'vfio_file_set_kvm']),
  values: (core) => ({ ...fileApiV65(core) }),
};

/** Linux v6.6: KVM validates with vfio_file_is_valid and holds any VFIO file (virt/kvm/vfio.c kvm_vfio_file_is_valid). */
export const fileExportsV66: VfioExportPlan = {
  name: 'file (v6.6)',
  exports: gpl(['vfio_file_is_valid', 'vfio_file_enforced_coherent', 'vfio_file_set_kvm']),
  values: (core) => ({ ...fileApiV66(core) }),
};

/** The seed patch: one function returning a table of functions taking the file. */
export const getOpsExports: VfioExportPlan = {
  name: 'get-ops',
  exports: gpl(['vfio_file_get_ops']),
  values: (core) => ({ ...getOpsApi(core) }),
};

/** The seed patch on a kernel with device files: vfio_file_get_ops returns a table per file type. */
export const getOpsExportsWithDevices: VfioExportPlan = {
  name: 'get-ops (group and device files)',
  exports: gpl(['vfio_file_get_ops']),
  values: (core) => ({ ...getOpsApiWithDevices(core) }),
};
