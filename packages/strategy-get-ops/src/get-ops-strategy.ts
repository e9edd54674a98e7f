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
