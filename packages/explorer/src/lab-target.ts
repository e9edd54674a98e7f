import type { LockDep } from '@coupling-lab/kernel';
import {
  boot,
  type Checkpoint,
  checkpointSystem,
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

export interface LabTargetOptions {
  /**
   * Boot and set up once per lockdep graph (once per exploration, or per work unit), and start
   * every schedule from that system put back in place (a checkpoint, lab's checkpoint.ts), rather
   * than from a fresh boot (default true). `false` boots afresh for every schedule: the check
   * that the snapshot changes nothing (test/snapshot-*.test.ts).
   */
  readonly reuseSetup?: boolean;
}

/** The booted world one exploration's schedules start from, and its checkpoint. */
interface SetUp<S> {
  readonly lockdep: LockDep;
  readonly booted: { readonly kernel: LabWorld<S>['sys']['kernel']; readonly world: LabWorld<S> };
  readonly checkpoint: Checkpoint;
}

/**
 * Boots `strategy` on the explorer's lockdep graph and runs the scenario's setup, then (unless
 * `reuseSetup` is false) checkpoints the result: the next schedule on the same graph starts from
 * the same objects put back as they were after the setup, which is what a fresh boot and setup
 * would build. `strategy` must be a resolved instance (see resolveStrategy).
 */
export function labTarget<S>(
  scenario: LabScenario<S>,
  strategy: CouplingStrategy,
  linux: LinuxName = DEFAULT_LINUX,
  options: LabTargetOptions = {},
): ExplorationTarget<LabWorld<S>> {
  const images = strategy.modules({ devices: defaultDevices, linux: linuxVersions[linux] });
  const prebuilt = withPrebuiltImages(strategy, images);
  const fresh = (lockdep: LockDep): SetUp<S>['booted'] => {
    const sys = boot({ strategy: prebuilt, lockdep, linux });
    return { kernel: sys.kernel, world: { sys, state: scenario.setup(sys) } };
  };
  if (options.reuseSetup === false) return { boot: fresh };
  let setUp: SetUp<S> | undefined;
  return {
    boot(lockdep: LockDep) {
      if (setUp !== undefined && setUp.lockdep === lockdep) {
        setUp.checkpoint.restore();
        return setUp.booted;
      }
      // A new graph (a new exploration or work unit): its lock orders must include the setup's own.
      const booted = fresh(lockdep);
      const checkpoint = checkpointSystem(
        booted.world.sys,
        [booted.world],
        [prebuilt, images, ...images, scenario],
      );
      setUp = { lockdep, booted, checkpoint };
      return booted;
    },
  };
}

/**
 * `strategy` with its module images built once. An image is a factory (its `load` makes all of a
 * module's state per kernel), so every schedule can boot from the same ones; building them costs
 * about 5 µs a boot. The result inherits everything else from `strategy`, `instanceof` included.
 */
function withPrebuiltImages(strategy: CouplingStrategy, images: readonly ModuleImage[]): CouplingStrategy {
  // boot() builds images for its default machine when given no devices, as here.
  const prebuilt = Object.create(strategy) as CouplingStrategy;
  Object.defineProperty(prebuilt, 'modules', { value: () => images });
  return prebuilt;
}
