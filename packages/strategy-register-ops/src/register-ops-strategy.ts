import {
  type CouplingEdge,
  type CouplingStrategy,
  couplingStrategy,
  type DeviceOpsPinning,
  fileExports,
  fileExportsV65,
  fileExportsV66,
  type KernelCode,
  type LinuxVersion,
  type StrategyWiring,
  type VfioExportPlan,
  type LinuxName,
  type Machine,
  type ModuleImage,
  standardModules,
} from '@coupling-lab/lab';
import { kvmVfioImage, portV517, portV65, portV66 } from './kvm-vfio-module.js';

/**
 * The reviewer's alternative (Christoph Hellwig in the seed thread, never merged): KVM exports
 * kvm_register_device_ops and has no VFIO code; the glue module kvm_vfio registers the device.
 * Unload safety is its burden: the ops carry an owner, which KVM pins under the table lock that
 * kvm_unregister_device_ops also takes, and unpins when the device is destroyed.
 */
@couplingStrategy()
export class RegisterOpsStrategy implements CouplingStrategy {
  readonly name: string = 'register-ops';
  readonly summary: string =
    "the reviewer's alternative: a kvm_vfio glue module registers the device ops with KVM";
  readonly runtimeEdges: readonly CouplingEdge[] = [{ from: 'kvm_vfio', to: 'kvm', kind: 'registers' }];
  readonly kernels: Readonly<Partial<Record<LinuxName, true | string>>> = { 'v5.17': true, 'v6.6': true };
  /** kvm_vfio keeps its state in objects the kernel reaches (explorer snapshot test). */
  readonly checkpointable: boolean = true;
  protected readonly pinning: DeviceOpsPinning = 'locked';
  protected readonly opsHaveOwner: boolean = true;

  /** What vfio exports for kvm_vfio on `linux`. */
  private vfioExports(linux: LinuxVersion): readonly VfioExportPlan[] {
    if (linux.vfio.groups === 'v5.17') return [fileExports];
    return [linux.vfio.deviceCdev === true ? fileExportsV66 : fileExportsV65];
  }

  /** The KVM side is kvm_vfio's port here: the glue module is what changes for a new file type. */
  wiring(linux: LinuxVersion): StrategyWiring {
    const port: KernelCode =
      linux.vfio.groups === 'v5.17' ? portV517 : linux.vfio.deviceCdev === true ? portV66 : portV65;
    return { vfioExports: this.vfioExports(linux), kvmSide: [port] };
  }

  modules(machine: Machine): ModuleImage[] {
    const { linux } = machine;
    return standardModules(machine, {
      vfioExports: this.vfioExports(linux),
      kvm: { exportDeviceOps: true, deviceOpsPinning: this.pinning },
      extra: [kvmVfioImage({ withOwner: this.opsHaveOwner, linux })],
    });
  }
}

/** Variant: Linux's kvm_device_ops as they are, with no owner: nothing stops kvm_vfio unloading under a device. */
@couplingStrategy()
export class RegisterOpsNoOwnerStrategy extends RegisterOpsStrategy {
  override readonly name: string = 'register-ops/no-owner';
  override readonly summary: string =
    'register-ops with kvm_device_ops as Linux has them: no owner, nothing pinned';
  readonly variant = { of: 'register-ops', difference: 'the ops have no owner and KVM pins nothing' };
  protected override readonly pinning: DeviceOpsPinning = 'none';
  protected override readonly opsHaveOwner: boolean = false;
}

/** Variant: the owner reference is taken after the table lock is dropped, leaving a window for rmmod kvm_vfio. */
@couplingStrategy()
export class RegisterOpsUnlockedStrategy extends RegisterOpsStrategy {
  override readonly name: string = 'register-ops/unlocked';
  override readonly summary: string = 'register-ops taking the owner reference outside the table lock';
  readonly variant = {
    of: 'register-ops',
    difference: "KVM_CREATE_DEVICE takes the owner's reference after dropping the table lock",
  };
  protected override readonly pinning: DeviceOpsPinning = 'unlocked';
}
