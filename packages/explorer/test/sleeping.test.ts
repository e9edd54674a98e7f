import { explore, replay } from '../src/core/index.js';
import { bugReport, renderBugReport } from '../src/index.js';
import {
  recursive,
  sleepHoldingLock,
  sleepTarget,
  threeWayFirstComer,
  waitForEachOther,
  waitThenWake,
} from './sleeping-toys.js';

describe('a thread asleep in wait_event', () => {
  test('is not runnable until woken, then resumes where it slept: every schedule finishes', () => {
    const verdict = explore(waitThenWake, sleepTarget);
    expect(verdict).toMatchObject({ verdict: 'clean', exhaustive: true });
  });

  test('a replay that puts the sleeper first shows its resumed step after the waker', () => {
    const verdict = replay(waitThenWake, sleepTarget, '1 2 1');
    expect(verdict.verdict).toBe('clean');
    expect(replay(waitThenWake, sleepTarget, '2 1').verdict).toBe('clean');
  });

  test('a sleeper cannot be scheduled before it is woken: the schedule string is refused', () => {
    expect(() => replay(waitThenWake, sleepTarget, '1 1 2')).toThrow(
      'only thread(s) 2 can start a step there',
    );
  });
});

describe('deadlocks', () => {
  test('two threads each asleep waiting for the other are a deadlock, naming who waits for what', () => {
    const verdict = explore(waitForEachOther, sleepTarget);
    expect(verdict).toMatchObject({
      verdict: 'violation',
      kind: 'deadlock',
      schedule: '1 2',
      preemptions: 0,
      waiting: [
        { thread: 1, label: 'wait(first_q); signal(second_q)', on: 'first_q (in one)' },
        { thread: 2, label: 'wait(second_q); signal(first_q)', on: 'second_q (in two)' },
      ],
    });
  });

  test('a thread needing a mutex that a sleeping thread holds, with nothing else to run, is a deadlock', () => {
    const verdict = explore(sleepHoldingLock, sleepTarget);
    expect(verdict).toMatchObject({
      verdict: 'violation',
      kind: 'deadlock',
      object: 'm_lock',
      schedule: '1 2',
      waiting: [
        { thread: 2, label: 'm_lock { signal(first_q) }', on: 'm_lock, held by thread 1' },
        { thread: 1, label: 'm_lock { wait(first_q) }', on: 'first_q (in hold-and-wait)' },
      ],
    });
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(replay(sleepHoldingLock, sleepTarget, verdict.schedule)).toMatchObject({
      kind: 'deadlock',
      waiting: verdict.waiting,
    });
  });

  test('the other order of the same two threads is fine', () => {
    expect(replay(sleepHoldingLock, sleepTarget, '2 1').verdict).toBe('clean');
  });
});

describe('lockdep', () => {
  test('a three-class cycle whose dependencies three different schedules took is convicted with its chain', () => {
    const verdict = explore(threeWayFirstComer, sleepTarget);
    expect(verdict).toMatchObject({ verdict: 'violation', kind: 'lock-order', preemptions: 0 });
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    const chain = verdict.chain ?? [];
    expect(chain.map((link) => `${link.held} -> ${link.taken}`).sort()).toEqual([
      'a_lock -> b_lock',
      'b_lock -> c_lock',
      'c_lock -> a_lock',
    ]);
    const schedules = new Set(chain.map((link) => link.schedule));
    expect(schedules.size).toBe(3);
    // The reported schedule string leads with the two witnesses, oldest first, then the schedule itself.
    const segments = verdict.schedule.split(' ; ');
    expect(segments).toHaveLength(3);
    expect(new Set(segments)).toEqual(schedules);
    expect(replay(threeWayFirstComer, sleepTarget, verdict.schedule)).toMatchObject({
      kind: 'lock-order',
      object: verdict.object,
    });
  });

  test('taking a lock the thread already holds is convicted as recursive-lock', () => {
    expect(explore(recursive, sleepTarget)).toMatchObject({
      verdict: 'violation',
      kind: 'recursive-lock',
      object: 'a_lock',
      schedule: '1',
      preemptions: 0,
    });
  });
});

test('the lockdep report of a found three-class cycle names the lock being taken and the one held, as the kernel saw them', () => {
  const verdict = explore(threeWayFirstComer, sleepTarget);
  if (verdict.verdict !== 'violation') throw new Error('expected a violation');
  // The kernel's message: "<task> takes <next> while holding <prev>, and ...".
  const [, taking, holding] = /takes (\S+) while holding (\S+),/.exec(verdict.message) ?? [];
  const text = renderBugReport(bugReport(verdict));
  expect(text).toContain(
    `is trying to acquire lock:\n (${taking})\n\nbut task is already holding lock:\n (${holding})`,
  );
  expect(text).toContain(`-> #0 (${taking}):\n       taken while holding ${holding}`);
});
