import { Kernel, Mutex, type LockDep } from '@coupling-lab/kernel';
import { explore, type ExplorationTarget, type ScenarioCore } from '../src/core/index.js';
import { lockTarget, type LockWorld } from './toys.js';

const noTeardown = (): void => {};

describe('what ends an exploration', () => {
  test('an exception that is not a violation is a bug and propagates', () => {
    const scenario: ScenarioCore<LockWorld> = {
      name: 'buggy',
      description: 'a step with a bug in it',
      invariant: 'none',
      threads: [[{ label: 'bug', run: () => (null as unknown as { x: number }).x }], []],
      teardown: noTeardown,
    };
    expect(() => explore(scenario, lockTarget)).toThrow(TypeError);
  });

  test('a step that swallows the pruning signal is an error, not a schedule', () => {
    const scenario: ScenarioCore<LockWorld> = {
      name: 'swallower',
      description: 'thread 2 catches everything its lock throws',
      invariant: 'none',
      threads: [
        [{ label: 'a_lock { b_lock }', run: (w) => w.a.with(() => w.b.with(() => w.count++)) }],
        [
          {
            label: 'try { a_lock } catch {}',
            run: (w) => {
              try {
                w.a.with(() => w.count++);
              } catch {
                return -1;
              }
              return 0;
            },
          },
        ],
      ],
      teardown: noTeardown,
    };
    expect(() => explore(scenario, lockTarget)).toThrow(
      /caught the explorer's pruning signal \(a step would block on a_lock held by thread 1\)/,
    );
  });

  test('a violation a step catches and drops is still reported', () => {
    const scenario: ScenarioCore<LockWorld> = {
      name: 'dropper',
      description: 'a step that hides a violation',
      invariant: 'no violation',
      threads: [
        [
          {
            label: 'underflow, caught',
            run: (w) => {
              try {
                w.kernel.violation('refcount-underflow', 'toy put with no reference');
              } catch {
                return -1;
              }
              return 0;
            },
          },
        ],
      ],
      teardown: noTeardown,
    };
    expect(explore(scenario, lockTarget)).toMatchObject({
      verdict: 'violation',
      kind: 'refcount-underflow',
      schedule: '1',
    });
  });

  test("a violation a kernel booted with onViolation 'record' only records is reported", () => {
    const recording: ExplorationTarget<LockWorld> = {
      boot(lockdep: LockDep) {
        const kernel = new Kernel({ lockdep, onViolation: 'record' });
        return {
          kernel,
          world: {
            kernel,
            a: new Mutex(kernel, 'a_lock', 'toy'),
            b: new Mutex(kernel, 'b_lock', 'toy'),
            claimedBy: 0,
            count: 0,
          },
        };
      },
    };
    const scenario: ScenarioCore<LockWorld> = {
      name: 'abba-recorded',
      description: 'ABBA on a recording kernel',
      invariant: 'one lock order',
      threads: [
        [{ label: 'a_lock { b_lock }', run: (w) => w.a.with(() => w.b.with(() => w.count++)) }],
        [{ label: 'b_lock { a_lock }', run: (w) => w.b.with(() => w.a.with(() => w.count++)) }],
      ],
      teardown: noTeardown,
    };
    expect(explore(scenario, recording)).toMatchObject({
      verdict: 'violation',
      kind: 'lock-order',
      schedule: '1 2',
    });
  });

  test('the invariant check runs after each top-level step and can end a schedule', () => {
    interface Counter extends LockWorld {
      done: number;
    }
    const target: ExplorationTarget<Counter> = {
      boot(lockdep) {
        const { kernel, world } = lockTarget.boot(lockdep);
        return { kernel, world: { ...world, done: 0 } };
      },
    };
    // Read, then lock and write: a step nested at the lock loses the other's update.
    const increment = {
      label: 'count = count + 1 (read outside a_lock)',
      run: (w: Counter) => {
        const seen = w.count;
        w.a.with(() => (w.count = seen + 1));
        w.done++;
      },
    };
    const scenario: ScenarioCore<Counter> = {
      name: 'lost-update',
      description: 'two unlocked read-modify-writes',
      invariant: 'count equals the increments done',
      threads: [[increment], [increment]],
      check: (w, kernel) => {
        if (w.count !== w.done)
          kernel.violation('leak', `lost update: count ${w.count} after ${w.done} increments`);
      },
      teardown: noTeardown,
    };
    expect(explore(scenario, target)).toMatchObject({
      verdict: 'violation',
      message: 'leak: lost update: count 1 after 2 increments',
      schedule: '1 2@1',
      preemptions: 1,
    });
  });

  test('teardown violations (a leaked reference) end the schedule too', () => {
    const scenario: ScenarioCore<LockWorld> = {
      name: 'leaky',
      description: 'a module reference nobody drops',
      invariant: 'every refcount back to zero',
      threads: [
        [
          {
            label: 'pin provider',
            run: (w) => {
              w.kernel.registerImage({
                name: 'm',
                description: 'toy',
                imports: [],
                exports: {},
                load: () => ({ symbols: {} }),
              });
              w.kernel.insmod('m');
              const module = w.kernel.findModule('m');
              return module !== undefined && w.kernel.tryModuleGet(module);
            },
          },
        ],
      ],
      teardown: (_w, kernel) => kernel.checkLeaks(),
    };
    expect(explore(scenario, lockTarget)).toMatchObject({ verdict: 'violation', kind: 'leak', module: 'm' });
  });
});

describe('target contract', () => {
  test('a boot that ignores the shared lockdep is refused', () => {
    const target: ExplorationTarget<LockWorld> = {
      boot() {
        return lockTarget.boot(new (class extends Kernel {})().lockdep);
      },
    };
    const scenario: ScenarioCore<LockWorld> = {
      name: 'any',
      description: '',
      invariant: '',
      threads: [],
      teardown: noTeardown,
    };
    expect(() => explore(scenario, target)).toThrow(/must build its Kernel with the lockdep it is given/);
  });

  test('a target that does not boot the same world each time is refused', () => {
    let boots = 0;
    const target: ExplorationTarget<LockWorld> = {
      boot(lockdep) {
        const booted = lockTarget.boot(lockdep);
        booted.world.claimedBy = boots++ % 2;
        return booted;
      },
    };
    const scenario: ScenarioCore<LockWorld> = {
      name: 'flaky',
      description: 'takes its locks only on every other boot',
      invariant: 'none',
      threads: [
        [{ label: 'maybe a_lock', run: (w) => (w.claimedBy === 1 ? w.a.with(() => w.count++) : 0) }],
        [{ label: 'maybe b_lock', run: (w) => (w.claimedBy === 1 ? w.b.with(() => w.count++) : 0) }],
      ],
      teardown: noTeardown,
    };
    expect(() => explore(scenario, target)).toThrow(/not deterministic/);
  });
});
