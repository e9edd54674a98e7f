import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  externalUserExports,
  fileExportsV65,
  fileExportsV66,
  type KernelCode,
  type KvmVfioPort,
  type LinuxName,
  type LinuxVersion,
  type ModuleContext,
  type VfioExportPlan,
} from '@coupling-lab/lab';
import { directFilePort, directFilePortV65, directPort } from './direct-port.js';

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
    if (linux.vfio.groups === 'v5.17') return [externalUserExports];
    return [linux.vfio.deviceCdev === true ? fileExportsV66 : fileExportsV65];
  }

  /** Every function the device calls (v5.17's iommu id is only for PPC's SPAPR TCE). */
  protected override kvmImports(linux: LinuxVersion): readonly string[] {
    return Object.keys(this.vfioExports(linux)[0]?.exports ?? {}).filter(
      (name) => name !== 'vfio_external_user_iommu_id',
    );
  }

  protected port(context: ModuleContext, linux: LinuxVersion): KvmVfioPort<unknown> {
    if (linux.vfio.groups === 'v5.17') return directPort(context);
    return linux.vfio.deviceCdev === true ? directFilePort(context) : directFilePortV65(context);
  }

  protected override portCode(linux: LinuxVersion): readonly KernelCode[] {
    if (linux.vfio.groups === 'v5.17') return [directPort];
    return [linux.vfio.deviceCdev === true ? directFilePort : directFilePortV65];
  }
}
