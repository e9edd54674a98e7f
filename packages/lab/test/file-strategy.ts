import {
  type CouplingStrategy,
  type FileApiV66,
  fileExportsV66,
  fileHoldingPort,
  kvmVfioOps,
  type Machine,
  standardModules,
} from '@coupling-lab/lab';

/** KVM holding VFIO files through v6.6's file API, imported at load. */
export const fileStrategy: CouplingStrategy = {
  name: 'test/file-imports',
  summary: 'kvm imports the v6.6 file API',
  runtimeEdges: [],
  kernels: { 'v6.6': true },
  modules: (machine: Machine) =>
    standardModules(machine, {
      vfioExports: [fileExportsV66],
      kvm: {
        imports: ['vfio_file_is_valid', 'vfio_file_enforced_coherent', 'vfio_file_set_kvm'],
        builtinVfioDevice: (context) =>
          kvmVfioOps(
            context.kernel,
            fileHoldingPort(context.kernel, {
              isValid: context.import<FileApiV66['vfio_file_is_valid']>('vfio_file_is_valid'),
              enforcedCoherent: context.import<FileApiV66['vfio_file_enforced_coherent']>(
                'vfio_file_enforced_coherent',
              ),
              setKvm: context.import<FileApiV66['vfio_file_set_kvm']>('vfio_file_set_kvm'),
            }),
            machine.linux.kvmVfio,
          ),
      },
    }),
};
