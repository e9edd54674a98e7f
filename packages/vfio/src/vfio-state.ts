import type { Kernel } from '@coupling-lab/kernel';
import type { VfioCore } from './vfio-core.js';

/**
 * The loaded vfio module's data, per kernel, for inspection (what debugfs would show). Set by the
 * module's init, cleared by its exit.
 */
const loaded = new WeakMap<Kernel, VfioCore>();

export function vfioState(kernel: Kernel): VfioCore | undefined {
  return loaded.get(kernel);
}

export function setVfioState(kernel: Kernel, core: VfioCore | undefined): void {
  // Stryker disable next-line ConditionalExpression: set(kernel, undefined) reads back as undefined, as delete does
  if (core === undefined) loaded.delete(kernel);
  else loaded.set(kernel, core);
}
