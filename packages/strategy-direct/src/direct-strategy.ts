import {
  type CouplingEdge,
  type CouplingStrategy,
  couplingStrategy,
  externalUserExports,
  kvmVfioOps,
  type Machine,
  type ModuleImage,
  standardModules,
} from '@coupling-lab/lab';
import { directPort } from './direct-port.js';

/** The functions kvm imports at load: a hard module dependency on vfio. */
const imports = Object.keys(externalUserExports.exports).filter((name) => name !== 'vfio_external_user_iommu_id');

/**
 * The baseline: kvm imports VFIO's v5.17 external-user functions directly. Fastest, and the hard
 * dependency both sides refuse: kvm cannot load without vfio, vfio cannot unload while kvm is loaded.
 */
@couplingStrategy()
export class DirectStrategy implements CouplingStrategy {
  readonly name: string = 'direct';
  readonly summary: string = 'kvm imports VFIO at load: the speed limit, and the hard dependency both sides refuse';
  readonly runtimeEdges: readonly CouplingEdge[] = [];

  modules(machine: Machine): ModuleImage[] {
    return standardModules(machine, {
      vfioExports: [externalUserExports],
      kvm: {
        imports,
        builtinVfioDevice: (context) => kvmVfioOps(context.kernel, directPort(context)),
      },
    });
  }
}
