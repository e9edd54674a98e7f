import { DEFAULT_BOUND, explore, replay } from '../src/core/index.js';
import {
  abba,
  abbaFirstComer,
  callThenPut,
  contended,
  lockTarget,
  providerTarget,
  putThenCall,
  putThenCallTwice,
} from './toys.js';

const defaultBound = DEFAULT_BOUND;

describe('an atomicity bug: symbol_put before calling the kept pointer, racing rmmod', () => {
  const verdict = explore(putThenCall, providerTarget);

  test('is found as a use-after-free with one preemption', () => {
    expect(verdict).toMatchObject({
      verdict: 'violation',
      kind: 'use-after-free',
      module: 'provider',
      object: 'provider_fn',
      preemptions: 1,
      schedule: '1 2@3',
      steps: [
        { thread: 1, label: 'symbol_get(provider_fn); symbol_put; call', depth: 0 },
        { thread: 2, label: 'delete_module(provider)', depth: 1 },
      ],
      bound: defaultBound,
    });
  });

  test('carries the kernel trace up to the fault', () => {
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(verdict.trace).toEqual([
      { thread: 1, point: 'symbol-lookup', subject: 'provider_fn' },
      { thread: 1, point: 'module-put', subject: 'provider' },
      { thread: 1, point: 'call', subject: 'provider_fn' },
      { thread: 2, point: 'syscall', subject: 'delete_module(provider)' },
      { thread: 2, point: 'module-state', subject: 'provider' },
      { thread: 2, point: 'module-state', subject: 'provider' },
    ]);
  });

  test('replays from its schedule string to the same verdict', () => {
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    const again = replay(putThenCall, providerTarget, verdict.schedule);
    expect(again).toEqual({
      ...verdict,
      schedules: 1,
      pruned: 0,
      bound: { maxDepth: 1, maxPreemptions: 1 },
    });
  });

  test('is clean when the call is made while the reference is held, counting its schedules', () => {
    // 2 whole-step orders; with one preemption, thread 2 inside thread 1 at its 3 points and thread 1 inside thread 2 at 2.
    expect(explore(callThenPut, providerTarget)).toEqual({
      verdict: 'clean',
      schedules: 7,
      pruned: 0,
      bound: defaultBound,
      exhaustive: true,
    });
  });
});

describe('which schedule is reported', () => {
  test('among schedules with the fewest preemptions, the one whose window opens first', () => {
    // rmmod nested at the first call (point 3) and at the second (point 4) both fault; the first is the race.
    expect(explore(putThenCallTwice, providerTarget)).toMatchObject({
      verdict: 'violation',
      kind: 'use-after-free',
      schedule: '1 2@3',
      preemptions: 1,
    });
    expect(replay(putThenCallTwice, providerTarget, '1 2@4')).toMatchObject({ kind: 'use-after-free' });
  });
});

describe('lock order', () => {
  test('two threads taking two lock classes in opposite orders is an inversion, without any deadlock', () => {
    expect(explore(abba, lockTarget)).toMatchObject({
      verdict: 'violation',
      kind: 'lock-order',
      object: 'b_lock -> a_lock -> b_lock',
      schedule: '1 2',
      preemptions: 0,
      schedules: 1,
    });
  });

  test('orders taken in different schedules combine, and the schedule string names the earlier one', () => {
    const verdict = explore(abbaFirstComer, lockTarget);
    expect(verdict).toMatchObject({
      verdict: 'violation',
      kind: 'lock-order',
      schedule: '1 2 ; 2',
      steps: [{ thread: 2, label: 'first? b_lock { a_lock }', depth: 0 }],
    });
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(replay(abbaFirstComer, lockTarget, verdict.schedule)).toMatchObject({
      kind: verdict.kind,
      message: verdict.message,
      schedule: verdict.schedule,
      steps: verdict.steps,
      trace: verdict.trace,
    });
    expect(replay(abbaFirstComer, lockTarget, '2 1')).toMatchObject({ verdict: 'clean' });
  });
});

describe('blocking', () => {
  test('a nested step that would sleep on a lock held below it is pruned, not reported', () => {
    // Budget 0: 2 orders. Budget 1: each thread inside the other before its a_lock or after its
    // unlock (4 that run); thread 2 inside thread 1 at the two points under a_lock (b_lock's lock
    // and unlock) would block: pruned.
    expect(explore(contended, lockTarget)).toEqual({
      verdict: 'clean',
      schedules: 6,
      pruned: 2,
      bound: defaultBound,
      exhaustive: true,
    });
  });
});

describe('bounds and determinism', () => {
  test('exploring twice gives the same verdicts and counts', () => {
    for (const [scenario, target] of [
      [callThenPut, providerTarget],
      [putThenCall, providerTarget],
    ] as const) {
      expect(explore(scenario, target)).toEqual(explore(scenario, target));
    }
    expect(explore(contended, lockTarget)).toEqual(explore(contended, lockTarget));
  });

  test('no preemptions interleaves whole steps only', () => {
    expect(explore(putThenCall, providerTarget, { maxPreemptions: 0 })).toEqual({
      verdict: 'clean',
      schedules: 2,
      pruned: 0,
      bound: { maxDepth: 2, maxPreemptions: 0 },
      exhaustive: true,
    });
    expect(explore(putThenCall, providerTarget, { maxDepth: 0 })).toMatchObject({
      verdict: 'clean',
      schedules: 2,
    });
  });

  test('a schedule cap short of the space says the result is not exhaustive', () => {
    expect(explore(callThenPut, providerTarget, { maxSchedules: 3 })).toMatchObject({
      verdict: 'clean',
      exhaustive: false,
    });
  });
});
