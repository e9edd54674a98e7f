import { Kernel, type LockDep, Mutex, waitEvent, WaitQueue } from '@coupling-lab/kernel';
import type { ExplorationTarget, ScenarioCore } from '../src/core/index.js';

/** Kernel-only toys with sleeping syscalls: wait queues, flags, and a few locks. */
export interface SleepWorld {
  readonly kernel: Kernel;
  readonly first: WaitQueue;
  readonly second: WaitQueue;
  readonly m: Mutex;
  readonly a: Mutex;
  readonly b: Mutex;
  readonly c: Mutex;
  firstReady: boolean;
  secondReady: boolean;
  /** How many steps have started, for scenarios whose lock order depends on who comes first. */
  started: number;
}

export const sleepTarget: ExplorationTarget<SleepWorld> = {
  boot(lockdep: LockDep) {
    const kernel = new Kernel({ lockdep });
    return {
      kernel,
      world: {
        kernel,
        first: new WaitQueue(kernel, 'first_q'),
        second: new WaitQueue(kernel, 'second_q'),
        m: new Mutex(kernel, 'm_lock', 'toy'),
        a: new Mutex(kernel, 'a_lock', 'toy'),
        b: new Mutex(kernel, 'b_lock', 'toy'),
        c: new Mutex(kernel, 'c_lock', 'toy'),
        firstReady: false,
        secondReady: false,
        started: 0,
      },
    };
  },
};

const nothingToTearDown = (): void => {};

/** Thread 1 waits for `firstReady`; thread 2 sets it and wakes the queue. */
export const waitThenWake: ScenarioCore<SleepWorld> = {
  name: 'wait-then-wake',
  description: 'thread 1 sleeps until first_q is signalled; thread 2 signals it',
  invariant: 'thread 1 always finishes',
  threads: [
    [
      {
        label: 'wait_event(first_q, firstReady)',
        run: (w) =>
          w.kernel.syscall('wait', () =>
            waitEvent(
              w.first,
              () => w.firstReady,
              () => 0,
            ),
          ),
      },
    ],
    [
      {
        label: 'firstReady = true; wake_up(first_q)',
        run: (w) =>
          w.kernel.syscall('wake', () => {
            w.firstReady = true;
            w.first.wakeUp();
            return 0;
          }),
      },
    ],
  ],
  teardown: nothingToTearDown,
};

/** Each thread waits for the other's signal before giving its own: whoever runs first sleeps for ever. */
export const waitForEachOther: ScenarioCore<SleepWorld> = {
  name: 'wait-for-each-other',
  description:
    'thread 1 waits on first_q then signals second_q; thread 2 waits on second_q then signals first_q',
  invariant: 'both threads finish',
  threads: [
    [
      {
        label: 'wait(first_q); signal(second_q)',
        run: (w) =>
          w.kernel.syscall('one', () =>
            waitEvent(
              w.first,
              () => w.firstReady,
              () => {
                w.secondReady = true;
                w.second.wakeUp();
                return 0;
              },
            ),
          ),
      },
    ],
    [
      {
        label: 'wait(second_q); signal(first_q)',
        run: (w) =>
          w.kernel.syscall('two', () =>
            waitEvent(
              w.second,
              () => w.secondReady,
              () => {
                w.firstReady = true;
                w.first.wakeUp();
                return 0;
              },
            ),
          ),
      },
    ],
  ],
  teardown: nothingToTearDown,
};

/** Thread 1 sleeps holding m_lock; thread 2 needs m_lock to wake it. */
export const sleepHoldingLock: ScenarioCore<SleepWorld> = {
  name: 'sleep-holding-lock',
  description: 'thread 1 takes m_lock and waits on first_q; thread 2 takes m_lock to signal first_q',
  invariant: 'both threads finish',
  threads: [
    [
      {
        label: 'm_lock { wait(first_q) }',
        run: (w) =>
          w.kernel.syscall('hold-and-wait', () => {
            w.m.lock();
            return waitEvent(
              w.first,
              () => w.firstReady,
              () => {
                w.m.unlock();
                return 0;
              },
            );
          }),
      },
    ],
    [
      {
        label: 'm_lock { signal(first_q) }',
        run: (w) =>
          w.kernel.syscall('signal', () =>
            w.m.with(() => {
              w.firstReady = true;
              w.first.wakeUp();
              return 0;
            }),
          ),
      },
    ],
  ],
  teardown: nothingToTearDown,
};

/**
 * Three threads; only the one that starts first nests its second lock (a in... a -> b, b -> c,
 * c -> a), so each schedule takes one dependency and the cycle needs three schedules.
 */
export const threeWayFirstComer: ScenarioCore<SleepWorld> = {
  name: 'three-way-first-comer',
  description:
    'the first thread to start nests its two locks: thread 1 a then b, thread 2 b then c, thread 3 c then a',
  invariant: 'one lock order',
  threads: (
    [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
    ] as const
  ).map(([outer, inner]) => [
    {
      label: `first? ${outer}_lock { ${inner}_lock }`,
      run: (w: SleepWorld) => {
        const first = w.started++ === 0;
        w[outer].with(() => {
          if (first) w[inner].with(() => undefined);
        });
      },
    },
  ]),
  teardown: nothingToTearDown,
};

/** A step that takes a_lock and, through a callback, a_lock again (the shape of upstream 51cdc8bc120e). */
export const recursive: ScenarioCore<SleepWorld> = {
  name: 'recursive',
  description: 'thread 1 takes a_lock and calls back into code that takes a_lock; thread 2 takes b_lock',
  invariant: 'no lock taken twice',
  threads: [
    [{ label: 'a_lock { callback: a_lock }', run: (w) => w.a.with(() => w.a.with(() => undefined)) }],
    [{ label: 'b_lock', run: (w) => w.b.with(() => undefined) }],
  ],
  teardown: nothingToTearDown,
};
