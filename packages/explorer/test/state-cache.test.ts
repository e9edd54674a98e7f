import { Kernel, type LockDep, Mutex, waitEvent, WaitQueue } from '@coupling-lab/kernel';
import { Checkpoint, StateFingerprint } from '@coupling-lab/lab';
import {
  explore,
  exploreInUnits,
  inThisThread,
  type ExplorationTarget,
  type ScenarioCore,
  type Verdict,
} from '../src/core/index.js';

/**
 * A toy target that boots once and puts its world back from a checkpoint for every schedule,
 * as lab's target does, so that its states can be fingerprinted (a fresh boot's objects and
 * closures are other objects).
 */
function checkpointed<W extends object>(make: (kernel: Kernel) => W): ExplorationTarget<W> {
  let booted: {
    lockdep: LockDep;
    kernel: Kernel;
    world: W;
    checkpoint: Checkpoint;
    fingerprint: StateFingerprint;
  };
  return {
    boot(lockdep) {
      if (booted === undefined) {
        const kernel = new Kernel({ lockdep });
        const world = make(kernel);
        const checkpoint = Checkpoint.take([world], new Set([lockdep]));
        booted = {
          lockdep,
          kernel,
          world,
          checkpoint,
          fingerprint: new StateFingerprint(checkpoint.recorded, new Set()),
        };
        return { kernel, world };
      }
      // Another exploration (or work unit) brings its own lockdep graph: the kernel is pointed at it.
      booted.checkpoint.replace(booted.lockdep, lockdep);
      booted.lockdep = lockdep;
      booted.checkpoint.restore();
      return { kernel: booted.kernel, world: booted.world };
    },
    fingerprint(world, exclude, aliases) {
      return booted.fingerprint.of([world], [...exclude, booted.lockdep], aliases);
    },
  };
}

interface Counters extends Locking {
  readonly counts: number[];
}

/** A world whose steps take locks of their own. */
interface Locking {
  readonly kernel: Kernel;
  readonly locks: readonly Mutex[];
}

/** A syscall that runs `body` holding lock number `lock` (a lock and an unlock point around it). */
function locked<W extends Locking>(lock: number, label: string, body: (w: W) => void = () => {}) {
  return {
    label,
    run: (w: W) =>
      w.kernel.syscall(label, () => {
        const mutex = w.locks[lock] as Mutex;
        mutex.lock();
        body(w);
        mutex.unlock();
        return 0;
      }),
  };
}

/** Three threads bumping their own counters under their own locks: every order ends in one state. */
const converging: ScenarioCore<Counters> = {
  name: 'converging',
  description: 'three threads, two steps each, each bumping its own counter under its own lock',
  invariant: 'none',
  threads: [1, 2, 3].map((thread) => {
    const bump = locked(
      thread,
      `bump count[${thread}]`,
      (w: Counters) => (w.counts[thread] = (w.counts[thread] ?? 0) + 1),
    );
    return [bump, bump];
  }),
  teardown: () => {},
};

const countersTarget = (): ExplorationTarget<Counters> =>
  checkpointed((kernel) => ({
    kernel,
    locks: [0, 1, 2, 3].map((n) => new Mutex(kernel, `l${n}`, 'toy')),
    counts: [0, 0, 0, 0],
  }));

const explored = (verdict: Verdict): number => verdict.schedules + verdict.pruned;

test('states already explored from are not explored again: same verdict, fewer schedules', () => {
  const bound = { maxDepth: 2, maxPreemptions: 2 };
  const cached = explore(converging, countersTarget(), bound);
  const uncached = explore(converging, countersTarget(), { ...bound, stateCache: false });
  const plain = explore(converging, countersTarget(), { ...bound, por: false });
  expect(cached.verdict).toBe('clean');
  expect(uncached.verdict).toBe('clean');
  expect(plain.verdict).toBe('clean');
  expect(explored(cached)).toBeLessThan(explored(uncached));
  expect(explored(uncached)).toBeLessThanOrEqual(explored(plain));
});

interface Remembering {
  readonly kernel: Kernel;
  readonly q: WaitQueue;
  x: number;
  ready: boolean;
}

/**
 * Thread 1 reads x and sleeps until ready, keeping what it read; woken, it fails if it had read
 * 1. Thread 2 sets x to 1, back to 0, then signals. After "1 2 2" and after "2 1 2" the world is
 * the same (x 0, thread 1 asleep, thread 2 at its last step); only thread 1's continuation
 * differs, and only the second one fails.
 */
const remembering: ScenarioCore<Remembering> = {
  name: 'remembering',
  description: 'thread 1 sleeps keeping a value it read; thread 2 changes it and changes it back',
  invariant: 'thread 1 never read x = 1',
  threads: [
    [
      {
        label: 'seen = x; wait_event(q, ready); seen must be 0',
        run: (w) =>
          w.kernel.syscall('remember', () => {
            const seen = w.x;
            return waitEvent(
              w.q,
              () => w.ready,
              () => {
                if (seen === 1) w.kernel.violation('stale-association', 'thread 1 slept on x = 1');
                return 0;
              },
            );
          }),
      },
    ],
    [
      { label: 'x = 1', run: (w) => (w.x = 1) },
      { label: 'x = 0', run: (w) => (w.x = 0) },
      {
        label: 'ready = true; wake_up(q)',
        run: (w) =>
          w.kernel.syscall('signal', () => {
            w.ready = true;
            w.q.wakeUp();
            return 0;
          }),
      },
    ],
  ],
  teardown: () => {},
};

test("a sleeping thread's continuation is part of the state: equal worlds with different sleepers are both explored", () => {
  const target = checkpointed((kernel) => ({ kernel, q: new WaitQueue(kernel, 'q'), x: 0, ready: false }));
  const cached = explore(remembering, target, { maxDepth: 0, maxPreemptions: 0 });
  const plain = explore(remembering, target, { maxDepth: 0, maxPreemptions: 0, por: false });
  expect(plain).toMatchObject({ verdict: 'violation', kind: 'stale-association' });
  expect(cached).toMatchObject({
    verdict: 'violation',
    kind: 'stale-association',
    schedule: plain.verdict === 'violation' ? plain.schedule : '',
  });
});

interface Kicked {
  readonly kernel: Kernel;
  readonly q: WaitQueue;
  readonly a: Mutex;
  readonly b: Mutex;
  readonly c: Mutex;
  readonly d: Mutex;
  window: boolean;
  waiting: boolean;
  kick: boolean;
  done: boolean;
}

/**
 * Thread 2 sleeps until kicked; thread 1 kicks it only if it is already waiting inside thread
 * 1's window, and never wakes it; thread 3 only calls wake_up. Thread 2 finishing inside thread 1's window needs all three in
 * order: 2 sleeps, 3 wakes it, 1 kicks, 2 resumes, all nested in thread 1's step. The wake_up
 * that wakes 2 woke nobody where thread 3 was nested first (before 2 slept), so only a relation
 * that charges every wake_up to the wait queues sees that it must be tried again later.
 */
const wakeUpWindow: ScenarioCore<Kicked> = {
  name: 'wake-up-window',
  description: 'thread 1: a window; thread 2: sleeps until kicked; thread 3: wake_up',
  invariant: 'thread 2 never finishes inside thread 1 window',
  threads: [
    [
      {
        label: 'a; window; c; kick if waiting; b; thread 2 must not be done',
        run: (w) =>
          w.kernel.syscall('window', () => {
            w.a.lock();
            w.a.unlock();
            w.window = true;
            w.c.lock();
            w.c.unlock();
            w.kick = w.waiting;
            w.b.lock();
            w.b.unlock();
            if (w.done) w.kernel.violation('stale-association', 'thread 2 finished inside the window');
            w.window = false;
            return 0;
          }),
      },
    ],
    [
      {
        label: 'c; wait_event(q, kick)',
        run: (w) =>
          w.kernel.syscall('sleeper', () => {
            w.c.lock();
            w.c.unlock();
            w.waiting = w.window;
            return waitEvent(
              w.q,
              () => w.kick,
              () => {
                w.done = true;
                return 0;
              },
            );
          }),
      },
    ],
    [
      {
        label: 'd; wake_up(q)',
        run: (w) =>
          w.kernel.syscall('waker', () => {
            w.d.lock();
            w.d.unlock();
            w.q.wakeUp();
            return 0;
          }),
      },
    ],
  ],
  // The sleeper is let go once the race is over.
  teardown: (w) => {
    w.kernel.syscall('teardown', () => {
      w.kick = true;
      w.q.wakeUp();
      return 0;
    });
  },
};

test('a wake_up that woke nobody still touches the wait queue: a sleeper that falls asleep later is woken by it', () => {
  const target = checkpointed((kernel) => ({
    kernel,
    q: new WaitQueue(kernel, 'q'),
    a: new Mutex(kernel, 'a', 'toy'),
    b: new Mutex(kernel, 'b', 'toy'),
    c: new Mutex(kernel, 'c', 'toy'),
    d: new Mutex(kernel, 'd', 'toy'),
    window: false,
    waiting: false,
    kick: false,
    done: false,
  }));
  // Depth 1: nothing nests in thread 3's step, so its footprint is its own.
  const bound = { maxDepth: 1, maxPreemptions: 3 };
  const plain = explore(wakeUpWindow, target, { ...bound, por: false });
  expect(plain).toMatchObject({ verdict: 'violation', kind: 'stale-association', preemptions: 3 });
  for (const stateCache of [true, false]) {
    expect(explore(wakeUpWindow, target, { ...bound, stateCache })).toMatchObject({
      verdict: 'violation',
      kind: 'stale-association',
      preemptions: 3,
    });
  }
});

interface Log {
  readonly kernel: Kernel;
  log: string;
}

/** Three threads of one step without preemption points; thread 3 going second, after thread 1, fails. */
const thirdAfterFirst: ScenarioCore<Log> = {
  name: 'third-after-first',
  description: 'each step appends its thread to the log; thread 3 fails if the log is "1"',
  invariant: 'the log never starts "1 3"',
  threads: [1, 2, 3].map((thread) => [
    { label: `log ${thread}`, run: (w: Log) => (w.log += String(thread)) },
  ]),
  check: (w, kernel) => {
    if (w.log === '13') kernel.violation('stale-association', 'thread 3 ran right after thread 1');
  },
  teardown: () => {},
};

test("a work unit's states reached inside its prefix are not explored in full by it: the next unit explores them again", async () => {
  // Six units (two decisions each), one batch: "1" is reached after one decision, inside the
  // prefixes of the units "1 2" and "1 3"; the first explores only its own part below it.
  const target = checkpointed((kernel) => ({ kernel, log: '' }));
  const plain = explore(thirdAfterFirst, target, { por: false });
  expect(plain).toMatchObject({ verdict: 'violation', kind: 'stale-association', schedule: '1 3' });
  const inUnits = await exploreInUnits(thirdAfterFirst, target, {}, inThisThread(thirdAfterFirst, target));
  expect(inUnits).toMatchObject({ verdict: 'violation', kind: 'stale-association', schedule: '1 3' });
});

interface Budget extends Locking {
  flag: boolean;
}

/**
 * Threads 1 and 2 take locks of their own; thread 4 fails if it runs inside thread 3's window.
 * After "1 2" the state is the same whether thread 2 ran nested in thread 1 (one preemption used)
 * or after it (none): only the second visit has the budget left for "3 4@p".
 */
const budgetLeft: ScenarioCore<Budget> = {
  name: 'budget-left',
  description: 'two independent lock holders, then a window that needs one preemption',
  invariant: 'thread 4 never runs inside thread 3 window',
  threads: [
    [locked(1, 'l1')],
    [locked(2, 'l2')],
    [
      {
        label: 'window',
        run: (w) =>
          w.kernel.syscall('window', () => {
            w.flag = true;
            const mutex = w.locks[3] as Mutex;
            mutex.lock();
            mutex.unlock();
            w.flag = false;
            return 0;
          }),
      },
    ],
    [
      locked(4, 'l4', (w: Budget) => {
        if (w.flag) w.kernel.violation('stale-association', 'thread 4 ran inside the window');
      }),
    ],
  ],
  teardown: () => {},
};

test('a state explored with less budget left is explored again when reached with more', () => {
  const target = checkpointed((kernel) => ({
    kernel,
    locks: [0, 1, 2, 3, 4].map((n) => new Mutex(kernel, `l${n}`, 'toy')),
    flag: false,
  }));
  const bound = { maxDepth: 1, maxPreemptions: 1 };
  const plain = explore(budgetLeft, target, { ...bound, por: false });
  const cached = explore(budgetLeft, target, bound);
  expect(plain.verdict).toBe('violation');
  expect(cached).toMatchObject({
    verdict: 'violation',
    schedule: plain.verdict === 'violation' ? plain.schedule : '',
  });
});

test('states with no fingerprint are never taken for one another', () => {
  const target = checkpointed((kernel) => ({ kernel, q: new WaitQueue(kernel, 'q'), x: 0, ready: false }));
  const blind: ExplorationTarget<Remembering> = {
    boot: (lockdep) => target.boot(lockdep),
    fingerprint: () => undefined,
  };
  expect(explore(remembering, blind, { maxDepth: 0, maxPreemptions: 0 })).toMatchObject({
    verdict: 'violation',
    kind: 'stale-association',
  });
});
