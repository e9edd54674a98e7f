import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  type File,
  fileExports,
  fileExportsV65,
  fileExportsV66,
  type KernelCode,
  type KvmVfioPort,
  type LinuxName,
  type LinuxVersion,
  type ModuleContext,
  type SetKvmOrder,
  type VfioExportPlan,
} from '@coupling-lab/lab';
import { symbolGetFilePort, symbolGetFilePortV65, symbolGetFilePortV66 } from './symbol-get-file-port.js';

/** What Linux merged in v5.19: KVM holds the group file and symbol_get()s three functions taking it. */
@couplingStrategy()
export class SymbolGetFileStrategy extends BuiltinDeviceStrategy {
  readonly name: string = 'symbol-get-file';
  readonly summary: string =
    'Linux v5.19 (merged): KVM holds the file and symbol_get()s three VFIO functions taking it';
  readonly runtimeEdges: readonly CouplingEdge[] = [{ from: 'kvm', to: 'vfio', kind: 'symbol_get' }];
  readonly kernels: Readonly<Partial<Record<LinuxName, true | string>>> = { 'v5.17': true, 'v6.6': true };

  protected vfioExports(linux: LinuxVersion): readonly VfioExportPlan[] {
    if (linux.vfio.groups === 'v5.17') return [fileExports];
    return [linux.vfio.deviceCdev === true ? fileExportsV66 : fileExportsV65];
  }

  protected port({ kernel }: ModuleContext, linux: LinuxVersion): KvmVfioPort<File> {
    if (linux.vfio.groups === 'v5.17') return symbolGetFilePort(kernel);
    return linux.vfio.deviceCdev === true ? symbolGetFilePortV66(kernel) : symbolGetFilePortV65(kernel);
  }

  protected override portCode(linux: LinuxVersion): readonly KernelCode[] {
    if (linux.vfio.groups === 'v5.17') return [symbolGetFilePort];
    return [linux.vfio.deviceCdev === true ? symbolGetFilePortV66 : symbolGetFilePortV65];
  }
}

/**
 * The race-catalogue variant: GROUP_ADD as v5.19 shipped it, calling set_kvm on `kvg->file` after
 * kv->lock is dropped. A GROUP_DEL in that window frees the kvg first: a use-after-free.
 */
@couplingStrategy()
export class SymbolGetFileV519RaceStrategy extends SymbolGetFileStrategy {
  override readonly name: string = 'symbol-get-file/v5.19-race';
  override readonly summary: string =
    'symbol-get-file with set_kvm(kvg->file) after kv->lock is dropped (before 9e0f4f2918c2)';
  readonly variant = {
    of: 'symbol-get-file',
    difference:
      'GROUP_ADD reads kvg->file for set_kvm after dropping kv->lock, as before upstream 9e0f4f2918c2',
  };
  protected override readonly setKvmOrder: SetKvmOrder = 'unlocked-kvg';
}
