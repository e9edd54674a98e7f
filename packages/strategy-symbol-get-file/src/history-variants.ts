import {
  couplingStrategy,
  type File,
  type KvmVfioPort,
  type LinuxName,
  type LinuxVersion,
  type Machine,
  type ModuleContext,
  type ModuleImage,
  type VmReferencePort,
} from '@coupling-lab/lab';
import { handHelpers, vfioApDriver, vmReferenceByHelpers } from './history-ports.js';
import { SymbolGetFileStrategy } from './symbol-get-file-strategy.js';

const V66_ONLY: Readonly<Partial<Record<LinuxName, true | string>>> = {
  'v5.17':
    'a shape of the file-based VFIO (v5.19 on) in which VFIO holds a VM reference: modelled on the v6.6 kernel',
  'v6.6': true,
};

/**
 * v6.2 before 2b48f52f2bff ("vfio: fix deadlock between group lock and kvm lock"): vfio_file_set_kvm
 * takes the group's group_lock; kvm-vfio already lets go of its files at `.release`, under
 * kvm->lock (51cdc8bc120e).
 */
@couplingStrategy()
export class SymbolGetFileV62Strategy extends SymbolGetFileStrategy {
  override readonly name: string = 'symbol-get-file/v6.2';
  override readonly summary: string =
    'symbol-get-file as v6.2 shipped it: vfio_file_set_kvm under group_lock (before 2b48f52f2bff)';
  override readonly kernels = V66_ONLY;
  readonly variant = {
    of: 'symbol-get-file',
    difference: 'vfio_file_set_kvm takes group_lock, as before upstream 2b48f52f2bff added kvm_ref_lock',
  };

  /** The kernel this shape shipped in, as one change to the booted one. */
  protected shipped(linux: LinuxVersion): LinuxVersion {
    return { ...linux, vfio: { ...linux.vfio, setKvmLock: 'group_lock' } };
  }

  override modules(machine: Machine): ModuleImage[] {
    return super.modules({ ...machine, linux: this.shipped(machine.linux) });
  }
}

/**
 * v6.1, before 51cdc8bc120e ("kvm/vfio: Fix potential deadlock on vfio group_lock"): kvm-vfio lets
 * go of its files in `.destroy`, when the VM is torn down, so the last kvm_put_kvm, made by VFIO
 * under group_lock at a device's last close, calls back into vfio_file_set_kvm, which takes
 * group_lock again.
 */
@couplingStrategy()
export class SymbolGetFileV61Strategy extends SymbolGetFileV62Strategy {
  override readonly name: string = 'symbol-get-file/v6.1';
  override readonly summary: string =
    "symbol-get-file as v6.1 shipped it: kvm-vfio's .destroy and set_kvm under group_lock (before 51cdc8bc120e)";
  override readonly variant = {
    of: 'symbol-get-file/v6.2',
    difference: 'kvm-vfio lets its files go in .destroy at VM teardown, as before upstream 51cdc8bc120e',
  };

  protected override shipped(linux: LinuxVersion): LinuxVersion {
    const v62 = super.shipped(linux);
    return { ...v62, kvmVfio: { ...v62.kvmVfio, teardown: 'destroy' } };
  }
}

/**
 * The fixed code (v6.6) with a driver whose open_device takes kvm->lock, vfio-ap's: what
 * 2b48f52f2bff was written for. Clean: set_kvm takes kvm_ref_lock, not group_lock.
 */
@couplingStrategy()
export class SymbolGetFileVfioApStrategy extends SymbolGetFileStrategy {
  override readonly name: string = 'symbol-get-file/vfio-ap';
  override readonly summary: string =
    "symbol-get-file (v6.6) with a driver taking kvm->lock in open_device, as vfio-ap's does";
  override readonly kernels = V66_ONLY;
  readonly variant = {
    of: 'symbol-get-file',
    difference: "the device's driver takes kvm->lock in open_device, under group_lock (vfio-ap)",
  };

  protected override vmReference(): (context: ModuleContext) => VmReferencePort {
    return vfioApDriver;
  }
}

/** v6.2 with vfio-ap: the ABBA between group_lock and kvm->lock that 2b48f52f2bff fixed. */
@couplingStrategy()
export class SymbolGetFileV62VfioApStrategy extends SymbolGetFileV62Strategy {
  override readonly name: string = 'symbol-get-file/v6.2-vfio-ap';
  override readonly summary: string =
    'symbol-get-file/v6.2 with vfio-ap: group_lock then kvm->lock at open, kvm->lock then group_lock at release';
  override readonly variant = {
    of: 'symbol-get-file/vfio-ap',
    difference: 'vfio_file_set_kvm takes group_lock, as before upstream 2b48f52f2bff added kvm_ref_lock',
  };

  protected override vmReference(): (context: ModuleContext) => VmReferencePort {
    return vfioApDriver;
  }
}

/**
 * The Sep 2023 proposal "vfio: KVM: Pass get/put helpers from KVM to VFIO, don't do circular
 * lookup" (<20230916003118.2540661-6-seanjc@google.com>, never merged): kvm hands VFIO its get and
 * put as function pointers instead of VFIO symbol_get()ing them, so nothing pins kvm.ko while VFIO
 * holds a VM.
 */
@couplingStrategy()
export class SymbolGetFilePutHelpersStrategy extends SymbolGetFileStrategy {
  override readonly name: string = 'symbol-get-file/put-helpers';
  override readonly summary: string =
    'symbol-get-file with KVM handing VFIO get/put function pointers (2023 proposal): kvm.ko unpinned';
  override readonly kernels = V66_ONLY;
  readonly variant = {
    of: 'symbol-get-file',
    difference:
      "VFIO calls get/put pointers KVM handed it instead of symbol_get()ing kvm's, holding no reference on kvm.ko",
  };
  /** Whether VFIO pins kvm.ko itself while it holds a VM. */
  protected readonly pinKvmModule: boolean = false;
  protected override port(context: ModuleContext, linux: LinuxVersion): KvmVfioPort<File> {
    handHelpers(context.kernel, context.module);
    return super.port(context, linux);
  }

  protected override vmReference(): (context: ModuleContext) => VmReferencePort {
    return vmReferenceByHelpers(this.pinKvmModule);
  }
}

/**
 * The helpers with kvm.ko pinned from get to put: Paolo Bonzini's "VFIO: take reference to the KVM
 * module" (2026, <20260706085229.979525-2-seiden@linux.ibm.com>), what Sean Christopherson said the
 * proposal lacked ("KVM would also need to pass along a module pointer").
 */
@couplingStrategy()
export class SymbolGetFileKvmModuleRefStrategy extends SymbolGetFilePutHelpersStrategy {
  override readonly name: string = 'symbol-get-file/kvm-module-ref';
  override readonly summary: string =
    'symbol-get-file/put-helpers with VFIO holding a reference on kvm.ko while it holds a VM (2026)';
  override readonly variant = {
    of: 'symbol-get-file/put-helpers',
    difference: 'VFIO takes a reference on kvm.ko with the VM and drops it after the put',
  };
  protected override readonly pinKvmModule: boolean = true;
}
