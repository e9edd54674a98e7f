import type { Kernel } from '@coupling-lab/kernel';
import type { KvmCore } from './kvm-core.js';

/** The loaded kvm module's data, per kernel, for inspection. Set by init, cleared by exit. */
const loaded = new WeakMap<Kernel, KvmCore>();

export function kvmState(kernel: Kernel): KvmCore | undefined {
  return loaded.get(kernel);
}

export function setKvmState(kernel: Kernel, core: KvmCore | undefined): void {
  // Stryker disable next-line ConditionalExpression: set(kernel, undefined) reads back as undefined, as delete does
  if (core === undefined) loaded.delete(kernel);
  else loaded.set(kernel, core);
}
