import type { Kernel } from '@coupling-lab/kernel';
import type { VfioCore } from './vfio-core.js';

/** The loaded vfio module's data, in the kernel's module globals. */
const VFIO = Symbol('vfio');

/**
 * The loaded vfio module's data, per kernel, for inspection (what debugfs would show). Set by the
 * module's init, cleared by its exit.
 */
export function vfioState(kernel: Kernel): VfioCore | undefined {
  return kernel.globals.get(VFIO) as VfioCore | undefined;
}

export function setVfioState(kernel: Kernel, core: VfioCore | undefined): void {
  if (core === undefined) kernel.globals.delete(VFIO);
  else kernel.globals.set(VFIO, core);
}
