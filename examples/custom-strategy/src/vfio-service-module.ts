import type { FileApi, ModuleImage, VfioFileOps } from '@coupling-lab/lab';
import type { BrokerPublish, BrokerUnpublish } from './broker-module.js';

/** The name VFIO's side publishes its file functions under, and the only thing KVM knows of it. */
export const VFIO_FILE_SERVICE = 'vfio-file';

/**
 * `vfio_service`: the publisher on VFIO's side. It imports vfio's file functions and the broker,
 * publishes a table of functions taking the group file (get-ops' table shape) in `init` and
 * withdraws it in `exit`. The table is this module's memory, so KVM must pin this module (the
 * broker does, per lookup) for as long as it may call through it.
 */
export function vfioServiceImage(): ModuleImage {
  return {
    name: 'vfio_service',
    description: `publishes VFIO's file functions in coupling_broker as '${VFIO_FILE_SERVICE}'`,
    imports: [
      'broker_publish',
      'broker_unpublish',
      'vfio_file_iommu_group',
      'vfio_file_enforced_coherent',
      'vfio_file_set_kvm',
    ],
    exports: {},
    load(context) {
      const { kernel, module } = context;
      const publish = context.import<BrokerPublish>('broker_publish');
      const unpublish = context.import<BrokerUnpublish>('broker_unpublish');
      const iommuGroup = context.import<FileApi['vfio_file_iommu_group']>('vfio_file_iommu_group');
      const coherent = context.import<FileApi['vfio_file_enforced_coherent']>('vfio_file_enforced_coherent');
      const setKvm = context.import<FileApi['vfio_file_set_kvm']>('vfio_file_set_kvm');
      const service: VfioFileOps = kernel.opsTable(module, 'vfio_file_service', {
        get_iommu_group: (file) => iommuGroup(file),
        is_enforced_coherent: (file) => coherent(file),
        set_kvm: (file, kvm) => setKvm(file, kvm),
      } satisfies VfioFileOps);
      return {
        symbols: {},
        init: () => publish(VFIO_FILE_SERVICE, service, module),
        exit: () => unpublish(VFIO_FILE_SERVICE, module),
      };
    },
  };
}
