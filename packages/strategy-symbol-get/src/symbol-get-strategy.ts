import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  externalUserExports,
  type KvmVfioPort,
  type LinuxName,
  type ModuleContext,
  type SetKvmOrder,
  type VfioExportPlan,
  type VfioGroup,
} from '@coupling-lab/lab';
import { symbolGetPort } from './symbol-get-port.js';

/** Linux v5.17: KVM's kvm-vfio device symbol_get()s each of six VFIO external-user functions, one call at a time. */
@couplingStrategy()
export class SymbolGetStrategy extends BuiltinDeviceStrategy {
  readonly name: string = 'symbol-get';
  readonly summary: string = 'Linux v5.17: KVM symbol_get()s each of six VFIO functions around every call';
  readonly runtimeEdges: readonly CouplingEdge[] = [{ from: 'kvm', to: 'vfio', kind: 'symbol_get' }];
  readonly kernels: Readonly<Partial<Record<LinuxName, true | string>>> = {
    'v5.17': true,
    'v6.6':
      'its six external-user functions (vfio_group_get_external_user and the rest) were removed in v5.19, when KVM began to hold the group file',
  };

  protected vfioExports(): readonly VfioExportPlan[] {
    return [externalUserExports];
  }

  protected port({ kernel }: ModuleContext): KvmVfioPort<VfioGroup> {
    return symbolGetPort(kernel);
  }
}

/**
 * The race-catalogue variant: GROUP_ADD as v5.17 shipped it, calling set_kvm after kv->lock is
 * dropped. A GROUP_DEL in that window leaves the group associated with a VM that no longer holds it.
 */
@couplingStrategy()
export class SymbolGetV517RaceStrategy extends SymbolGetStrategy {
  override readonly name: string = 'symbol-get/v5.17-race';
  override readonly summary: string =
    'symbol-get with set_kvm after kv->lock is dropped (before upstream 9e0f4f2918c2)';
  readonly variant = {
    of: 'symbol-get',
    difference: 'GROUP_ADD calls set_kvm after dropping kv->lock, as before upstream 9e0f4f2918c2',
  };
  protected override readonly setKvmOrder: SetKvmOrder = 'unlocked-local';
}
