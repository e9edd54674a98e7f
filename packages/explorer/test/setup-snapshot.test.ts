import { LockDep, type LinuxName } from '@coupling-lab/lab';
import {
  catalogue,
  exploreTarget,
  labCore,
  labTarget,
  resolveStrategy,
  type ExplorationTarget,
  type LabScenario,
  type LabWorld,
} from '../src/index.js';
import { skipReason } from '../src/explore-strategy.js';
import { realStrategies, variants } from './strategies.js';
import { structuralDifference } from './structure.js';

// The setup snapshot (lab-target.ts: boot and set up once per exploration, every schedule from
// the checkpoint put back in place) against a fresh boot and setup for every schedule.
const kernels: readonly LinuxName[] = ['v5.17', 'v6.6'];
const strategies = [...realStrategies, ...variants];
const cases = catalogue.flatMap((scenario) =>
  kernels.flatMap((linux) =>
    strategies
      .filter((strategy) => skipReason(scenario, resolveStrategy(strategy), linux) === undefined)
      .map((strategy) => [scenario.name, strategy, linux, scenario] as const),
  ),
);
// The three-thread scenarios at one preemption, as in the POR differential; the others at the default bound.
const boundFor = (scenario: LabScenario) => (scenario.threads.length > 2 ? { maxPreemptions: 1 } : {});

/** `target`, remembering the lockdep graph of the last schedule it booted. */
function spied<W>(target: ExplorationTarget<W>): { target: ExplorationTarget<W>; lockdep: () => LockDep } {
  let last: LockDep | undefined;
  return {
    target: { boot: (lockdep) => ((last = lockdep), target.boot(lockdep)) },
    lockdep: () => {
      if (last === undefined) throw new Error('no schedule ran');
      return last;
    },
  };
}

test.each(cases)(
  '%s x %s on %s: the same verdict with and without the snapshot, and after it the freshly set-up system',
  (_name, strategy, linux, scenario) => {
    const resolved = resolveStrategy(strategy);
    const bound = boundFor(scenario);
    const spy = spied(labTarget(scenario, resolved, linux));
    const reused = exploreTarget(labCore(scenario), spy.target, bound);
    const fresh = exploreTarget(
      labCore(scenario),
      labTarget(scenario, resolved, linux, { reuseSetup: false }),
      bound,
    );
    // Verdict, kind, message, schedule counts, minimal schedule, trace and lock chain alike.
    expect(reused).toEqual(fresh);
    // The system every schedule ran on, put back once more, against one freshly booted and set up.
    const lockdep = spy.lockdep();
    const restored = spy.target.boot(lockdep).world;
    const setUp = labTarget(scenario, resolved, linux, { reuseSetup: false }).boot(lockdep).world;
    expect(restored).not.toBe(setUp);
    expect(structuralDifference(restored, setUp)).toBeUndefined();
  },
);

const addVsDelEntry = (): LabScenario =>
  catalogue.find((entry) => entry.name === 'add-vs-del') as LabScenario;

test('the comparison sees a schedule: a set-up system after one step differs from a fresh one', () => {
  const scenario = addVsDelEntry();
  const target = labTarget(scenario, resolveStrategy('direct'), 'v5.17', { reuseSetup: false });
  const lockdep = new LockDep();
  const stepped = target.boot(lockdep).world as LabWorld<unknown>;
  scenario.threads[0]?.[0]?.run(stepped);
  const fresh = target.boot(lockdep).world;
  expect(structuralDifference(stepped, fresh)).toMatch(/^world\./);
});

/** `scenario` with its setups counted. */
function counting(scenario: LabScenario): { scenario: LabScenario; setups: () => number } {
  let setups = 0;
  return {
    scenario: { ...scenario, setup: (sys) => (setups++, scenario.setup(sys)) },
    setups: () => setups,
  };
}

const addVsDel = catalogue.find((entry) => entry.name === 'add-vs-del') as LabScenario;

test('a checkpointable strategy is set up once for every exploration of a scenario; without reuse, every schedule', () => {
  const counted = counting(addVsDel);
  const direct = resolveStrategy('direct');
  const first = exploreTarget(labCore(counted.scenario), labTarget(counted.scenario, direct));
  // A second exploration has its own lockdep graph: the checkpoint is pointed at it, not set up again.
  const second = exploreTarget(labCore(counted.scenario), labTarget(counted.scenario, direct));
  expect(counted.setups()).toBe(1);
  const uncounted = counting(addVsDel);
  const fresh = exploreTarget(
    labCore(uncounted.scenario),
    labTarget(uncounted.scenario, direct, 'v5.17', { reuseSetup: false }),
  );
  expect(uncounted.setups()).toBe(fresh.schedules + fresh.pruned);
  expect(first).toEqual(fresh);
  expect(second).toEqual(fresh);
});

test('a strategy that does not declare itself checkpointable boots afresh for every schedule', () => {
  const counted = counting(addVsDel);
  const undeclared = Object.create(resolveStrategy('direct'), {
    checkpointable: { value: false },
  }) as ReturnType<typeof resolveStrategy>;
  const verdict = exploreTarget(labCore(counted.scenario), labTarget(counted.scenario, undeclared));
  expect(counted.setups()).toBe(verdict.schedules + verdict.pruned);
});
