import { defaultDevices } from '@coupling-lab/vfio';
import { container as rootContainer } from 'tsyringe';
import { Checkpoint } from './checkpoint.js';
import { linuxVersions } from './linux.js';
import { StateFingerprint } from './state-fingerprint.js';
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
  return Checkpoint.take([sys, ...roots], sharedByEveryBoot(sys, shared));
}

/**
 * Fingerprints of the states of a system that `checkpoint` (checkpointSystem's, with the same
 * `shared`) puts back for every run: the objects it recorded are named by identity, and what
 * every boot shares is not entered, as in the checkpoint. The kernel's lockdep graph is the
 * caller's to exclude (`of(roots, [graph, ...])`), since it may be swapped for another.
 */
export function systemFingerprint(
  sys: System,
  checkpoint: Checkpoint,
  shared: readonly object[] = [],
): StateFingerprint {
  const stops = sharedByEveryBoot(sys, shared);
  // Statistics (SPEC 12): only benchmarks read them, no model code branches on them.
  stops.add(sys.kernel.counters);
  // The caller excludes the lockdep graph the kernel points at when it asks: a run on another
  // graph (another exploration, another work unit) must see the same state.
  stops.delete(sys.kernel.lockdep);
  return new StateFingerprint(checkpoint.recorded, stops);
}

function sharedByEveryBoot(sys: System, shared: readonly object[]): Set<object> {
  return new Set<object>([
    sys.kernel.lockdep,
    sys.strategy,
    rootContainer,
    linuxVersions,
    ...Object.values(linuxVersions),
    defaultDevices,
    ...defaultDevices,
    ...shared,
  ]);
}
