import { formatSchedule, parseSchedule, replay } from '../src/core/index.js';
import { contended, lockTarget, providerTarget, putThenCall } from './toys.js';

describe('schedule strings', () => {
  test('parse and format round-trip', () => {
    const text = '1 2@4 2 ; 2 1';
    expect(parseSchedule(text)).toEqual([
      [
        { thread: 1, point: 0 },
        { thread: 2, point: 4 },
        { thread: 2, point: 0 },
      ],
      [
        { thread: 2, point: 0 },
        { thread: 1, point: 0 },
      ],
    ]);
    expect(formatSchedule(parseSchedule(text))).toBe(text);
  });

  test.each(['1 x', '0 1', '1 2@', '1 2@0', '1,2'])('%j is malformed', (text) => {
    expect(() => parseSchedule(text)).toThrow(/malformed schedule/);
  });
});

describe('replay', () => {
  test('re-executes a clean schedule and reports its own bound', () => {
    expect(replay(putThenCall, providerTarget, '2 1')).toEqual({
      verdict: 'clean',
      schedules: 1,
      pruned: 0,
      bound: { maxDepth: 0, maxPreemptions: 0 },
      exhaustive: false,
    });
  });

  test.each([
    ['1', /ends while thread\(s\) 2 still have steps/],
    ['1 2 2', /ended after 2 of its 3 steps/],
    ['3 1', /runs thread 3, but only thread\(s\) 1, 2 can start a step/],
    ['1 1@2', /runs thread 1, but only thread\(s\) 2 can start a step/],
    ['1 2@99', /names a preemption point the run passed without stopping/],
    ['1 2@2 2', /ended after 2 of its 3 steps/],
  ])('rejects %j, which does not fit the scenario', (schedule, reason) => {
    expect(() => replay(putThenCall, providerTarget, schedule)).toThrow(reason);
  });

  test('rejects a schedule whose nested step would block', () => {
    expect(() => replay(contended, lockTarget, '1 2@2')).toThrow(
      /infeasible: a step would block on a_lock held by thread 1/,
    );
  });

  test('rejects a malformed string', () => {
    expect(() => replay(putThenCall, providerTarget, 'one two')).toThrow(/malformed schedule/);
  });
});
