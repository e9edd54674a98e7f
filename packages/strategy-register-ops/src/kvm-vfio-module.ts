import {
  type FileApi,
  type FileApiV65,
  type FileApiV66,
  fileHoldingPort,
  KVM,
  type KvmDeviceOps,
  kvmVfioOps,
  type KvmVfioPort,
  type File,
  type LinuxVersion,
  type ModuleContext,
  type ModuleImage,
  type RegisterDeviceOps,
  type UnregisterDeviceOps,
  errno,
} from '@coupling-lab/lab';

/** kvm_vfio's VFIO side on v5.17's contract: v5.19's three file functions, imported directly. */
export function portV517(context: ModuleContext): KvmVfioPort<File> {
  const { kernel } = context;
  const iommuGroup = context.import<FileApi['vfio_file_iommu_group']>('vfio_file_iommu_group');
  const coherent = context.import<FileApi['vfio_file_enforced_coherent']>('vfio_file_enforced_coherent');
  const setKvm = context.import<FileApi['vfio_file_set_kvm']>('vfio_file_set_kvm');
  return {
    acquire(file) {
      kernel.fget(file);
      if (iommuGroup(file) !== null) return file;
      kernel.fput(file);
      return -errno.EINVAL;
    },
    release: (file) => kernel.fput(file),
    same: (a, b) => a === b,
    matchesFile: (held, file) => held === file,
    isCoherent: (file) => coherent(file),
    setKvm: (file, vm) => setKvm(file, vm),
  };
}

/** kvm_vfio's VFIO side on v6.5: the file functions for group files, imported directly. */
export function portV65(context: ModuleContext): KvmVfioPort<File> {
  return fileHoldingPort(context.kernel, {
    isValid: context.import<FileApiV65['vfio_file_is_group']>('vfio_file_is_group'),
    enforcedCoherent: context.import<FileApiV65['vfio_file_enforced_coherent']>(
      'vfio_file_enforced_coherent',
    ),
    setKvm: context.import<FileApiV65['vfio_file_set_kvm']>('vfio_file_set_kvm'),
  });
}

/** kvm_vfio's VFIO side on v6.6: the file functions for group and device files, imported directly. */
export function portV66(context: ModuleContext): KvmVfioPort<File> {
  return fileHoldingPort(context.kernel, {
    isValid: context.import<FileApiV66['vfio_file_is_valid']>('vfio_file_is_valid'),
    enforcedCoherent: context.import<FileApiV66['vfio_file_enforced_coherent']>(
      'vfio_file_enforced_coherent',
    ),
    setKvm: context.import<FileApiV66['vfio_file_set_kvm']>('vfio_file_set_kvm'),
  });
}

/**
 * The glue module `kvm_vfio` of the reviewer's alternative: it imports KVM's registration API and
 * VFIO's file functions directly, registers the kvm-vfio device ops for KVM_DEV_TYPE_VFIO in init
 * and unregisters them in exit. `withOwner` puts the module in the ops' `owner` so KVM can pin it.
 * On v6.6 the ops it registers are `.release`-based, like the built-in device's.
 */
export function kvmVfioImage(options: { withOwner: boolean; linux: LinuxVersion }): ModuleImage {
  const v517 = options.linux.vfio.groups === 'v5.17';
  const devices = options.linux.vfio.deviceCdev === true;
  return {
    name: 'kvm_vfio',
    description: 'kvm-vfio device ops, registered with KVM from the VFIO side',
    imports: [
      'kvm_register_device_ops',
      'kvm_unregister_device_ops',
      v517 ? 'vfio_file_iommu_group' : devices ? 'vfio_file_is_valid' : 'vfio_file_is_group',
      'vfio_file_enforced_coherent',
      'vfio_file_set_kvm',
    ],
    exports: {},
    load(context) {
      const { kernel, module } = context;
      const register = context.import<RegisterDeviceOps>('kvm_register_device_ops');
      const unregister = context.import<UnregisterDeviceOps>('kvm_unregister_device_ops');
      const port = (v517 ? portV517 : devices ? portV66 : portV65)(context);
      // The ops are kvm_vfio's code: KVM's calls through them cross a module boundary.
      const ops: KvmDeviceOps = kernel.opsTable(module, 'kvm_vfio_ops', {
        ...kvmVfioOps(kernel, port, options.linux.kvmVfio),
        owner: options.withOwner ? module : null,
      });
      return {
        symbols: {},
        init: () => register(ops, KVM.DEV_TYPE_VFIO),
        exit: () => unregister(KVM.DEV_TYPE_VFIO),
      };
    },
  };
}
