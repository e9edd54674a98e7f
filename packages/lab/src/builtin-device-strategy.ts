import type { ModuleContext, ModuleImage } from '@coupling-lab/kernel';
import { kvmVfioOps, type KvmVfioPort, type SetKvmOrder } from '@coupling-lab/kvm';
import type { VfioExportPlan } from '@coupling-lab/vfio';
import { standardModules } from './modules.js';
import type { CouplingEdge, CouplingStrategy, Machine } from './strategy.js';

/**
 * A strategy whose kvm-vfio device is built into kvm (kvm_vfio_ops_init), as in Linux: what differs
 * is only what vfio exports, what kvm imports at load, and the port through which the device
 * reaches VFIO. direct, symbol-get, symbol-get-file and get-ops are this with one choice each.
 */
export abstract class BuiltinDeviceStrategy implements CouplingStrategy {
  abstract readonly name: string;
  abstract readonly summary: string;
  abstract readonly runtimeEdges: readonly CouplingEdge[];
  /** What vfio exports for KVM's side. */
  protected abstract readonly vfioExports: readonly VfioExportPlan[];
  /** Symbols kvm resolves at load (a hard dependency); none unless the strategy wants one. */
  protected readonly kvmImports: readonly string[] = [];
  /** Where GROUP_ADD calls set_kvm: under kv->lock since upstream 9e0f4f2918c2 (2023). */
  protected readonly setKvmOrder: SetKvmOrder = 'locked';

  /** How the device reaches VFIO, made when kvm loads. */
  protected abstract port(context: ModuleContext): KvmVfioPort<unknown>;

  modules(machine: Machine): ModuleImage[] {
    return standardModules(machine, {
      vfioExports: this.vfioExports,
      kvm: {
        imports: this.kvmImports,
        builtinVfioDevice: (context) =>
          kvmVfioOps(context.kernel, this.port(context), { setKvmOrder: this.setKvmOrder }),
      },
    });
  }
}
