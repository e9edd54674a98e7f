import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  getOpsExports,
  getOpsExportsWithDevices,
  type KernelCode,
  type KvmVfioPort,
  type LinuxName,
  type LinuxVersion,
  type ModuleContext,
  type SetKvmOrder,
  type VfioExportPlan,
} from '@coupling-lab/lab';
import { type GetOpsHandle, getOpsPort } from './get-ops-port.js';

/** The seed patch: KVM symbol_get()s one function, vfio_file_get_ops(), and calls through the table it returns. */
@couplingStrategy()
export class GetOpsStrategy extends BuiltinDeviceStrategy {
  readonly name: string = 'get-ops';
  readonly summary: string =
    'the seed patch: one symbol_get of vfio_file_get_ops(), then calls through its ops table';
  readonly runtimeEdges: readonly CouplingEdge[] = [{ from: 'kvm', to: 'vfio', kind: 'symbol_get' }];
  readonly kernels: Readonly<Partial<Record<LinuxName, true | string>>> = { 'v5.17': true, 'v6.6': true };
  /** KVM takes a reference on the group file it keeps (fget), which pins vfio. */
  protected readonly holdFile: boolean = true;

  /** With device files VFIO's vfio_file_get_ops returns a table per file type; KVM's side does not change. */
  protected vfioExports(linux: LinuxVersion): readonly VfioExportPlan[] {
    return [linux.vfio.deviceCdev === true ? getOpsExportsWithDevices : getOpsExports];
  }

  protected override portCode(): readonly KernelCode[] {
    return [getOpsPort];
  }

  protected port({ kernel }: ModuleContext, linux: LinuxVersion): KvmVfioPort<GetOpsHandle> {
    // On v6.6 the table's get_ops is the whole validation (any VFIO file, container or not).
    return getOpsPort(kernel, { holdFile: this.holdFile, askIommuGroup: linux.vfio.groups === 'v5.17' });
  }
}

/**
 * The race-catalogue variant, the natural mistake "I have the ops, I'm done": KVM keeps the
 * table and a bare file pointer but takes no reference on the file. Once QEMU closes its fds
 * the file is freed and KVM still calls through the table with it.
 */
@couplingStrategy()
export class GetOpsNoFileRefStrategy extends GetOpsStrategy {
  override readonly name: string = 'get-ops/no-file-ref';
  override readonly summary: string = 'get-ops keeping only the ops table: no reference on the group file';
  readonly variant = {
    of: 'get-ops',
    difference: 'KVM keeps the ops table and a bare file pointer, without fget',
  };
  protected override readonly holdFile: boolean = false;
}

/**
 * The seed series as posted, v1 patch 08/10 "vfio: Move vfio_group_set_kvm() into vfio_file_ops"
 * (<8-v1-33906a626da1+16b0-vfio_kvm_no_group_jgg@nvidia.com>, 14 Apr 2022): kvm_vfio_group_add
 * calls `kvg->ops->set_kvm(kvg->filp, dev->kvm)` after `mutex_unlock(&kv->lock)`, the window
 * merged as ba70a89f3c2a and fixed by 9e0f4f2918c2.
 */
@couplingStrategy()
export class GetOpsV1PostedStrategy extends GetOpsStrategy {
  override readonly name: string = 'get-ops/v1-posted';
  override readonly summary: string =
    'get-ops as the seed series v1 posted it: set_kvm through kvg->ops on kvg->filp after kv->lock is dropped';
  readonly variant = {
    of: 'get-ops',
    difference:
      'GROUP_ADD calls kvg->ops->set_kvm(kvg->filp) after dropping kv->lock, as v1 patch 08/10 posted it',
  };
  protected override readonly setKvmOrder: SetKvmOrder = 'unlocked-kvg';
}
