import type { Kernel } from '@coupling-lab/kernel';
import type { KvmCore } from './kvm-core.js';

/** The loaded kvm module's data, in the kernel's module globals. */
const KVM = Symbol('kvm');

/** The loaded kvm module's data, per kernel, for inspection. Set by init, cleared by exit. */
export function kvmState(kernel: Kernel): KvmCore | undefined {
  return kernel.globals.get(KVM) as KvmCore | undefined;
}

export function setKvmState(kernel: Kernel, core: KvmCore | undefined): void {
  if (core === undefined) kernel.globals.delete(KVM);
  else kernel.globals.set(KVM, core);
}
