import type { LockDep } from '@coupling-lab/kernel';
import {
  boot,
  type CouplingStrategy,
  DEFAULT_LINUX,
  defaultDevices,
  type LinuxName,
  linuxVersions,
  type ModuleImage,
} from '@coupling-lab/lab';
import type { ExplorationTarget, ScenarioCore } from './core/index.js';
import type { LabScenario, LabWorld } from './lab-scenario.js';

/**
 * The scheduler core's view of a lab scenario: after each top-level step the lab's cross-module
 * invariants (a stale group-to-VM association is raised there), and at the end a teardown that
 * must leave nothing behind.
 */
export function labCore<S>(scenario: LabScenario<S>): ScenarioCore<LabWorld<S>> {
  return {
    name: scenario.name,
    description: scenario.description,
    invariant: scenario.invariant,
    threads: scenario.threads,
    check: ({ sys }) => sys.checkInvariants(),
    teardown: ({ sys }) => {
      // Exits every process and unloads what it can; kmemleak's check inside raises leaked references.
      const stuck = sys.teardown();
      if (stuck.length > 0) {
        const message = `module(s) ${stuck.join(', ')} cannot be unloaded after every process exited`;
        sys.kernel.violation('leak', message, { module: stuck[0] });
      }
    },
  };
}

/**
 * Boots `strategy` afresh for every schedule, on the explorer's lockdep graph, and runs the
 * scenario's setup. `strategy` must be a resolved instance (see resolveStrategy).
 */
export function labTarget<S>(
  scenario: LabScenario<S>,
  strategy: CouplingStrategy,
  linux: LinuxName = DEFAULT_LINUX,
): ExplorationTarget<LabWorld<S>> {
  const prebuilt = withPrebuiltImages(strategy, linux);
  return {
    boot(lockdep: LockDep) {
      const sys = boot({ strategy: prebuilt, lockdep, linux });
      return { kernel: sys.kernel, world: { sys, state: scenario.setup(sys) } };
    },
  };
}

/**
 * `strategy` with its module images built once. An image is a factory (its `load` makes all of a
 * module's state per kernel), so every schedule can boot from the same ones; building them costs
 * about 5 µs a boot. The result inherits everything else from `strategy`, `instanceof` included.
 */
function withPrebuiltImages(strategy: CouplingStrategy, linux: LinuxName): CouplingStrategy {
  // boot() builds images for its default machine when given no devices, as here.
  const images: readonly ModuleImage[] = strategy.modules({
    devices: defaultDevices,
    linux: linuxVersions[linux],
  });
  const prebuilt = Object.create(strategy) as CouplingStrategy;
  Object.defineProperty(prebuilt, 'modules', { value: () => images });
  return prebuilt;
}
