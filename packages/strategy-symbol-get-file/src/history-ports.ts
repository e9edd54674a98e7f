import {
  type HeldVm,
  type Kernel,
  type KvmGetKvmSafe,
  type KvmPutKvm,
  kvmState,
  type KvmRef,
  type ModuleContext,
  Vm,
  type VmReferencePort,
  vmReferenceBySymbolGet,
} from '@coupling-lab/lab';

/**
 * Linux's own reverse port (vfio_device_get_kvm_safe, symbol_get of kvm_put_kvm and
 * kvm_get_kvm_safe) with a driver whose open_device takes kvm->lock under group_lock and
 * dev_set->lock: vfio-ap's vfio_ap_mdev_set_kvm (drivers/s390/crypto/vfio_ap_ops.c), the driver
 * 2b48f52f2bff names ("some drivers (like vfio-ap) need to acquire kvm->lock during their
 * open_device routine").
 */
export function vfioApDriver(context: ModuleContext): VmReferencePort {
  const linux = vmReferenceBySymbolGet(context.kernel);
  return {
    get(kvm) {
      const held = linux.get(kvm);
      if (held === null) return null;
      return {
        ...held,
        openDevice() {
          // The driver reaches into struct kvm, as vfio-ap does through kvm_host.h.
          if (kvm instanceof Vm) kvm.lock.with(() => context.kernel.touch(kvm));
        },
      };
    },
  };
}

/** The two helpers KVM hands VFIO in the 2023 proposal: kvm_get_kvm_safe and kvm_put_kvm, as function pointers. */
export interface VmHelpers {
  readonly get: KvmGetKvmSafe;
  readonly put: KvmPutKvm;
}

/** What kvm handed over in one booted system: its helpers, and the module they belong to. */
interface HandedHelpers {
  readonly helpers: VmHelpers;
  readonly kvm: ModuleContext['module'];
}

/** Per booted system, in its kernel's module globals: what that system's kvm handed VFIO. */
const HANDED = Symbol('kvm_vfio_helpers');
const handed = {
  get: (kernel: Kernel): HandedHelpers | undefined => kernel.globals.get(HANDED) as HandedHelpers | undefined,
  set: (kernel: Kernel, helpers: HandedHelpers): void => void kernel.globals.set(HANDED, helpers),
};

/**
 * kvm's side of "vfio: KVM: Pass get/put helpers from KVM to VFIO, don't do circular lookup"
 * (<20230916003118.2540661-6-seanjc@google.com>): kvm hands VFIO pointers to its own get and put,
 * an ops table of kvm's (each call through it is an indirect call into kvm.ko). VFIO looks no
 * symbol up, so nothing takes a reference on kvm.ko.
 */
export function handHelpers(kernel: Kernel, kvm: ModuleContext['module']): void {
  // kvm's own kvm_get_kvm_safe and kvm_put_kvm, called directly: no symbol is looked up.
  const helpers = kernel.opsTable(kvm, 'kvm_vfio_helpers', {
    get: (vm: KvmRef): boolean => (vm instanceof Vm ? (kvmState(kernel)?.getVmSafe(vm) ?? false) : false),
    put: (vm: KvmRef): void => {
      if (vm instanceof Vm) kvmState(kernel)?.putVm(vm);
    },
  });
  handed.set(kernel, { helpers, kvm });
}

/**
 * VFIO's side of the 2023 proposal: vfio_device_get_kvm_safe calls the handed get, and the last
 * close the handed put. kvm_put_kvm's last put ends in kvm_destroy_vm's module_put of kvm.ko
 * (5f6de5cbebee, "KVM: Prevent module exit until all VMs are freed"); the code still has to return
 * through kvm.ko, which nothing pins any more: Sean Christopherson, <ZWp_q1w01NCZi8KX@google.com>:
 * "nothing prevents userspace from unloading kvm.ko while VFIO still holds a reference to a kvm
 * structure, and so invoking ->put_kvm() could jump into freed code". The return is a preemption
 * point here, and returning into a freed kvm.ko is a use-after-free.
 *
 * With `pinModule`, VFIO also holds kvm.ko from the get to the put, as Paolo Bonzini's "VFIO: take
 * reference to the KVM module" does (<20260706085229.979525-2-seiden@linux.ibm.com>, v4 01/27).
 */
export function vmReferenceByHelpers(pinModule: boolean): (context: ModuleContext) => VmReferencePort {
  return (context) => {
    const kernel = context.kernel;
    return {
      get(kvm): HeldVm | null {
        const given = handed.get(kernel);
        if (given === undefined) return null;
        const { helpers, kvm: owner } = given;
        if (pinModule && !kernel.tryModuleGet(owner)) return null;
        if (!helpers.get(kvm)) {
          if (pinModule) kernel.modulePut(owner);
          return null;
        }
        return {
          kvm,
          put() {
            helpers.put(kvm);
            // kvm_destroy_vm's module_put was not its last instruction: the CPU returns through kvm.ko.
            kernel.preempt('call', 'return from kvm_put_kvm');
            if (owner.state === 'FREED') {
              kernel.violation('use-after-free', 'return from kvm_put_kvm into freed module kvm', {
                module: owner.name,
                object: 'kvm_put_kvm',
              });
            }
            if (pinModule) kernel.modulePut(owner);
          },
        };
      },
    };
  };
}
