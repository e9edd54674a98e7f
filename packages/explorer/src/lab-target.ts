import type { LockDep } from '@coupling-lab/kernel';
import {
  boot,
  type Checkpoint,
  checkpointSystem,
  systemFingerprint,
  type StateFingerprint,
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
   * For a strategy that declares itself `checkpointable`: boot and set up once, and start every schedule from that system put back in place (a
   * checkpoint, lab's checkpoint.ts) rather than from a fresh boot (default true). `false` boots
   * afresh for every schedule: the check that the snapshot changes nothing (test/setup-snapshot.test.ts).
   */
  readonly reuseSetup?: boolean;
}

/** The set-up system schedules start from: its checkpoint, and the lock orders its setup took. */
interface SetUp<S> {
  /** The graph the checkpoint's kernel points at now. */
  lockdep: LockDep;
  readonly booted: { readonly kernel: LabWorld<S>['sys']['kernel']; readonly world: LabWorld<S> };
  readonly checkpoint: Checkpoint;
  readonly fingerprint: StateFingerprint;
  /** Every lockdep.record(held, taken) the boot and setup made, in order. */
  readonly lockOrders: readonly (readonly [string, string])[];
}

/** Snapshot targets by strategy instance, scenario and kernel: one boot and setup per process. */
const reusable = new WeakMap<
  CouplingStrategy,
  WeakMap<LabScenario<never>, Map<LinuxName, ExplorationTarget<never>>>
>();

/**
 * Boots `strategy` on the explorer's lockdep graph and runs the scenario's setup. With
 * `reuseSetup` (the default) that happens once for a given strategy instance, scenario and kernel:
 * the result is checkpointed, and every later schedule starts from the same objects put back as
 * they were after the setup, which is what a fresh boot and setup would build. A schedule on
 * another lockdep graph (another exploration, another work unit) gets the checkpoint pointed at
 * that graph and the setup's lock orders recorded into it, in the setup's order, as a fresh setup
 * would record them; one of them closing a cycle there falls back to a fresh boot, which raises
 * it. Only the last schedule's world is live: the next boot puts it back. `strategy` must be a
 * resolved instance (see resolveStrategy).
 */
export function labTarget<S>(
  scenario: LabScenario<S>,
  strategy: CouplingStrategy,
  linux: LinuxName = DEFAULT_LINUX,
  options: LabTargetOptions = {},
): ExplorationTarget<LabWorld<S>> {
  // A strategy whose modules may keep state in closures only is booted afresh: a checkpoint cannot reach it.
  if (options.reuseSetup === false || strategy.checkpointable !== true)
    return freshTarget(scenario, strategy, linux);
  let byScenario = reusable.get(strategy);
  if (byScenario === undefined) {
    byScenario = new WeakMap();
    reusable.set(strategy, byScenario);
  }
  const key = scenario as unknown as LabScenario<never>;
  let byKernel = byScenario.get(key);
  if (byKernel === undefined) {
    byKernel = new Map();
    byScenario.set(key, byKernel);
  }
  const known = byKernel.get(linux) as ExplorationTarget<LabWorld<S>> | undefined;
  if (known !== undefined) return known;
  const target = snapshotTarget(scenario, strategy, linux);
  byKernel.set(linux, target as unknown as ExplorationTarget<never>);
  return target;
}

/**
 * The target an exploration's split into work units runs on: a fresh boot and setup for every
 * schedule, never the snapshot target's world. A split is a few short schedules per unit; built
 * there, the snapshot's world would sit idle until the units come (while other explorations
 * split first, on a pool or in one thread), long enough for V8 to promote it to the old
 * generation, and from then on every Map and Set table its restores make is allocated there too
 * (checkpoint.ts). Left to the first unit, the world is built right before the schedules that
 * restore it. On the whole catalogue in one thread that took full collections from 24 to 1 or 2
 * and halved the time in young collections (explorer README).
 */
export function splitTarget<S>(
  scenario: LabScenario<S>,
  strategy: CouplingStrategy,
  linux: LinuxName = DEFAULT_LINUX,
): ExplorationTarget<LabWorld<S>> {
  return labTarget(scenario, strategy, linux, { reuseSetup: false });
}

/** A fresh boot and setup for every schedule. */
function freshTarget<S>(
  scenario: LabScenario<S>,
  strategy: CouplingStrategy,
  linux: LinuxName,
): ExplorationTarget<LabWorld<S>> & {
  readonly images: readonly ModuleImage[];
  readonly prebuilt: CouplingStrategy;
} {
  const images = strategy.modules({ devices: defaultDevices, linux: linuxVersions[linux] });
  const prebuilt = withPrebuiltImages(strategy, images);
  return {
    images,
    prebuilt,
    boot(lockdep: LockDep) {
      const sys = boot({ strategy: prebuilt, lockdep, linux });
      return { kernel: sys.kernel, world: { sys, state: scenario.setup(sys) } };
    },
  };
}

function snapshotTarget<S>(
  scenario: LabScenario<S>,
  strategy: CouplingStrategy,
  linux: LinuxName,
): ExplorationTarget<LabWorld<S>> {
  const fresh = freshTarget(scenario, strategy, linux);
  let setUp: SetUp<S> | undefined;
  const setUpOn = (lockdep: LockDep): SetUp<S>['booted'] => {
    const lockOrders: (readonly [string, string])[] = [];
    // The graph is the caller's (the explorer's, shared by its schedules): its lock orders are
    // noted on their way in, then it is left as it was.
    const record = lockdep.record;
    lockdep.record = (held, taken) => {
      lockOrders.push([held, taken]);
      return record.call(lockdep, held, taken);
    };
    let booted: SetUp<S>['booted'];
    try {
      booted = fresh.boot(lockdep);
    } finally {
      delete (lockdep as Partial<Pick<LockDep, 'record'>>).record;
    }
    const shared = [fresh.prebuilt, fresh.images, ...fresh.images, scenario];
    const checkpoint = checkpointSystem(booted.world.sys, [booted.world], shared);
    const fingerprint = systemFingerprint(booted.world.sys, checkpoint, shared);
    setUp = { lockdep, booted, checkpoint, fingerprint, lockOrders };
    return booted;
  };
  return {
    boot(lockdep: LockDep) {
      if (setUp === undefined) return setUpOn(lockdep);
      if (setUp.lockdep !== lockdep) {
        setUp.checkpoint.replace(setUp.lockdep, lockdep);
        setUp.lockdep = lockdep;
        for (const [held, taken] of setUp.lockOrders) {
          if (lockdep.wouldCloseCycle(held, taken)) {
            // The setup closes a cycle on this graph: a fresh boot raises it where it happens
            // (the orders before this one are recorded, as that boot records them first too).
            setUp = undefined;
            return fresh.boot(lockdep);
          }
          lockdep.record(held, taken);
        }
      }
      setUp.checkpoint.restore();
      return setUp.booted;
    },
    fingerprint(world, exclude, aliases) {
      // Only a world put back from the checkpoint: a fresh boot's objects are other objects.
      if (setUp === undefined || world !== setUp.booted.world) return undefined;
      return setUp.fingerprint.of([world.sys, world], [...exclude, setUp.lockdep], aliases);
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
