import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  externalUserExports,
  type KvmVfioPort,
  type ModuleContext,
  type VfioGroup,
} from '@coupling-lab/lab';
import { directPort } from './direct-port.js';

/**
 * The baseline: kvm imports VFIO's v5.17 external-user functions directly. Fastest, and the hard
 * dependency both sides refuse: kvm cannot load without vfio, vfio cannot unload while kvm is loaded.
 */
@couplingStrategy()
export class DirectStrategy extends BuiltinDeviceStrategy {
  readonly name: string = 'direct';
  readonly summary: string =
    'kvm imports VFIO at load: the speed limit, and the hard dependency both sides refuse';
  readonly runtimeEdges: readonly CouplingEdge[] = [];
  protected readonly vfioExports = [externalUserExports];
  /** Every external-user function the device calls (the iommu id is only for PPC's SPAPR TCE). */
  protected override readonly kvmImports = Object.keys(externalUserExports.exports).filter(
    (name) => name !== 'vfio_external_user_iommu_id',
  );

  protected port(context: ModuleContext): KvmVfioPort<VfioGroup> {
    return directPort(context);
  }
}
