import { Kernel, type LockDep } from '@coupling-lab/kernel';
import {
  explore,
  exploreInUnits,
  inThisThread,
  type ExplorationTarget,
  type ScenarioCore,
} from '../src/core/index.js';

// The reduction's top-level rule (reduction.ts, blockEnded): a top-level step right after an
// independent one of a higher thread repeats, swapped, an order explored before. Two toy
// threads, each a syscall of its own task on its own table: independent for the reduction.
interface Flags {
  readonly kernel: Kernel;
  a: boolean;
  b: boolean;
}

const flagsTarget: ExplorationTarget<Flags> = {
  boot(lockdep: LockDep) {
    const kernel = new Kernel({ lockdep });
    return { kernel, world: { kernel, a: false, b: false } };
  },
};

function setter(flag: 'a' | 'b'): { label: string; run: (world: Flags) => number } {
  return {
    label: `set ${flag}`,
    run: (world) =>
      world.kernel.syscall(`set_${flag}`, () => {
        world.kernel.preempt('ops-access', `${flag}_table`);
        world[flag] = true;
        world.kernel.preempt('ops-access', `${flag}_table`);
        return 0;
      }),
  };
}

/** Two independent steps per thread: every order of the four is the same final state. */
const independent: ScenarioCore<Flags> = {
  name: 'independent-setters',
  description: 'thread 1 sets b twice, thread 2 sets a twice, each on its own table',
  invariant: 'none',
  threads: [
    [setter('b'), setter('b')],
    [setter('a'), setter('a')],
  ],
  teardown: () => {},
};

/** The same, with a check between top-level steps that only the state after thread 2's step alone fails. */
const transient: ScenarioCore<Flags> = {
  ...independent,
  name: 'transient-state',
  invariant: 'never a without b',
  threads: [[setter('b')], [setter('a')]],
  check: (world, kernel) => {
    if (world.a && !world.b) kernel.violation('stale-association', 'a is set and b is not');
  },
};

describe('top-level steps in the other order', () => {
  test('independent top-level orders are explored once, fewer schedules than plain DFS', () => {
    const bound = { maxDepth: 0, maxPreemptions: 0 };
    const reduced = explore(independent, flagsTarget, { ...bound, por: true });
    const plain = explore(independent, flagsTarget, { ...bound, por: false });
    expect(plain).toMatchObject({ verdict: 'clean', schedules: 6 });
    // 1 1 2 2 runs to the end; every other interleaving is cut where it first swaps an order.
    expect(reduced).toMatchObject({ verdict: 'clean', schedules: 1, exhaustive: true });
  });

  test('a check between the two steps that only one order shows is still seen', () => {
    for (const por of [true, false]) {
      expect(explore(transient, flagsTarget, { maxDepth: 0, maxPreemptions: 0, por })).toMatchObject({
        verdict: 'violation',
        kind: 'stale-association',
        schedule: '2',
      });
    }
  });

  test('a work unit whose prefix the rule cuts is done at once, and units give the same verdict', async () => {
    const bound = { maxDepth: 0, maxPreemptions: 0 };
    const split = await exploreInUnits(
      independent,
      flagsTarget,
      bound,
      inThisThread(independent, flagsTarget),
    );
    expect(split).toMatchObject({ verdict: 'clean', exhaustive: true });
    expect(split.schedules).toBe(explore(independent, flagsTarget, bound).schedules);
  });
});

// A step that meets no preemption point still reads state (delete_module's checks, a lookup that
// finds nothing). Thread 1 copies b into a, with no point; thread 2 sets b between two points on
// its own table; the teardown objects to a set. Only "2 then 1" copies b set: had the copier's
// empty footprint counted as independent, the top-level rule would cut that order as a swap of
// "1 then 2" before the teardown could see it.
const pointFreeCopier: ScenarioCore<Flags> = {
  ...independent,
  name: 'point-free-copier',
  invariant: 'thread 1 never copies b set',
  threads: [
    [
      {
        label: 'copy b into a',
        run: (world) =>
          world.kernel.syscall('copy_b', () => {
            world.a = world.b;
            return 0;
          }),
      },
    ],
    [setter('b')],
  ],
  teardown: (world, kernel) => {
    if (world.a) kernel.violation('stale-association', 'thread 1 copied b set');
  },
};

test('a step with no preemption point commutes with nothing: the order only it reveals is explored', () => {
  for (const por of [true, false]) {
    expect(explore(pointFreeCopier, flagsTarget, { maxDepth: 0, maxPreemptions: 0, por })).toMatchObject({
      verdict: 'violation',
      kind: 'stale-association',
      schedule: '2 1',
    });
  }
});
