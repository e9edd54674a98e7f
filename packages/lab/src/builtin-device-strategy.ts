import type { ModuleContext, ModuleImage } from '@coupling-lab/kernel';
import { kvmVfioOps, type KvmVfioPort, type SetKvmOrder } from '@coupling-lab/kvm';
import type { VfioExportPlan, VmReferencePort } from '@coupling-lab/vfio';
import type { LinuxName, LinuxVersion } from './linux.js';
import { standardModules } from './modules.js';
import type { KernelCode, StrategyWiring } from './wiring.js';
import type { CouplingEdge, CouplingStrategy, Machine } from './strategy.js';

/**
 * A strategy whose kvm-vfio device is built into kvm (kvm_vfio_ops_init), as in Linux: what differs
 * is only what vfio exports, what kvm imports at load, and the port through which the device
 * reaches VFIO, each for the kernel booted. direct, symbol-get, symbol-get-file and get-ops are
 * this with one choice each.
 */
export abstract class BuiltinDeviceStrategy implements CouplingStrategy {
  abstract readonly name: string;
  abstract readonly summary: string;
  abstract readonly runtimeEdges: readonly CouplingEdge[];
  abstract readonly kernels: Readonly<Partial<Record<LinuxName, true | string>>>;
  /** The lab's modules keep their state in objects the kernel reaches (explorer snapshot test). */
  readonly checkpointable: boolean = true;
  /** Where GROUP_ADD calls set_kvm, if not where the kernel does (a race-catalogue variant's difference). */
  protected readonly setKvmOrder: SetKvmOrder | undefined = undefined;

  /** What vfio exports for KVM's side on `linux`. */
  protected abstract vfioExports(linux: LinuxVersion): readonly VfioExportPlan[];

  /** Symbols kvm resolves at load on `linux` (a hard dependency); none unless the strategy wants one. */
  protected kvmImports(_linux: LinuxVersion): readonly string[] {
    return [];
  }

  /**
   * How VFIO takes its reference on a VM on a kernel where it holds one; undefined for Linux's own
   * (symbol_get of kvm_get_kvm_safe and kvm_put_kvm). A history variant's difference may live here.
   */
  protected vmReference(_linux: LinuxVersion): ((context: ModuleContext) => VmReferencePort) | undefined {
    return undefined;
  }

  /** How the device reaches VFIO on `linux`, made when kvm loads. */
  protected abstract port(context: ModuleContext, linux: LinuxVersion): KvmVfioPort<unknown>;

  /** The functions that build `port` on `linux`, as code (what a kernel engineer edits to change the coupling). */
  protected portCode(_linux: LinuxVersion): readonly KernelCode[] {
    return [];
  }

  wiring(linux: LinuxVersion): StrategyWiring {
    return { vfioExports: this.vfioExports(linux), kvmSide: this.portCode(linux) };
  }

  modules(machine: Machine): ModuleImage[] {
    const { linux } = machine;
    const vmReference = this.vmReference(linux);
    return standardModules(machine, {
      vfioExports: this.vfioExports(linux),
      ...(vmReference === undefined ? {} : { vmReference }),
      kvm: {
        imports: this.kvmImports(linux),
        builtinVfioDevice: (context) =>
          kvmVfioOps(context.kernel, this.port(context, linux), {
            ...linux.kvmVfio,
            ...(this.setKvmOrder === undefined ? {} : { setKvmOrder: this.setKvmOrder }),
          }),
      },
    });
  }
}
