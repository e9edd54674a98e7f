import { defaultDevices } from '@coupling-lab/vfio';
import { container as rootContainer } from 'tsyringe';
import { Checkpoint } from './checkpoint.js';
import { linuxVersions } from './linux.js';
import type { System } from './system.js';

/**
 * A checkpoint of a booted (and perhaps set-up) system and whatever else `roots` holds of it: every
 * object the boot made is put back in place on `restore`. The checkpoint does not enter what every
 * boot shares: the kernel's lockdep graph (the explorer's, which must keep every schedule's lock
 * orders), the strategy instance, the root container, the kernel versions, the default machine's
 * devices, and the objects in `shared` (the module images a caller built once, the scenario).
 * Those must not be written by a boot or a schedule: a fresh boot would share them just the same.
 */
export function checkpointSystem(
  sys: System,
  roots: readonly unknown[],
  shared: readonly object[] = [],
): Checkpoint {
  const stops = new Set<object>([
    sys.kernel.lockdep,
    sys.strategy,
    rootContainer,
    linuxVersions,
    ...Object.values(linuxVersions),
    defaultDevices,
    ...defaultDevices,
    ...shared,
  ]);
  return Checkpoint.take([sys, ...roots], stops);
}
