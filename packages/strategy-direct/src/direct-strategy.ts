import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  externalUserExports,
  fileExportsV66,
  type KvmVfioPort,
  type LinuxName,
  type LinuxVersion,
  type ModuleContext,
  type VfioExportPlan,
} from '@coupling-lab/lab';
import { directFilePort, directPort } from './direct-port.js';

/**
 * The baseline: kvm imports VFIO's functions directly (v5.17's external-user API, or v6.6's file
 * API). Fastest, and the hard dependency both sides refuse: kvm cannot load without vfio, vfio
 * cannot unload while kvm is loaded. On v6.6 VFIO still reaches KVM the way Linux does (symbol_get
 * of kvm_get_kvm_safe and kvm_put_kvm): a hard dependency cannot run both ways, that is a load cycle.
 */
@couplingStrategy()
export class DirectStrategy extends BuiltinDeviceStrategy {
  readonly name: string = 'direct';
  readonly summary: string =
    'kvm imports VFIO at load: the speed limit, and the hard dependency both sides refuse';
  readonly runtimeEdges: readonly CouplingEdge[] = [];
  readonly kernels: Readonly<Partial<Record<LinuxName, true | string>>> = { 'v5.17': true, 'v6.6': true };

  protected vfioExports(linux: LinuxVersion): readonly VfioExportPlan[] {
    return [linux.vfio.groups === 'v5.17' ? externalUserExports : fileExportsV66];
  }

  /** Every function the device calls (v5.17's iommu id is only for PPC's SPAPR TCE). */
  protected override kvmImports(linux: LinuxVersion): readonly string[] {
    return Object.keys(this.vfioExports(linux)[0]?.exports ?? {}).filter(
      (name) => name !== 'vfio_external_user_iommu_id',
    );
  }

  protected port(context: ModuleContext, linux: LinuxVersion): KvmVfioPort<unknown> {
    return linux.vfio.groups === 'v5.17' ? directPort(context) : directFilePort(context);
  }
}
