import {
  BuiltinDeviceStrategy,
  type CouplingEdge,
  couplingStrategy,
  type File,
  fileExports,
  type KvmVfioPort,
  type ModuleContext,
  type SetKvmOrder,
} from '@coupling-lab/lab';
import { symbolGetFilePort } from './symbol-get-file-port.js';

/** What Linux merged in v5.19: KVM holds the group file and symbol_get()s three functions taking it. */
@couplingStrategy()
export class SymbolGetFileStrategy extends BuiltinDeviceStrategy {
  readonly name: string = 'symbol-get-file';
  readonly summary: string =
    'Linux v5.19 (merged): KVM holds the file and symbol_get()s three VFIO functions taking it';
  readonly runtimeEdges: readonly CouplingEdge[] = [{ from: 'kvm', to: 'vfio', kind: 'symbol_get' }];
  protected readonly vfioExports = [fileExports];

  protected port({ kernel }: ModuleContext): KvmVfioPort<File> {
    return symbolGetFilePort(kernel);
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
