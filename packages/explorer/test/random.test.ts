import { explore, replay } from '../src/core/index.js';
import { callThenPut, providerTarget, putThenCall } from './toys.js';

describe('random mode', () => {
  const options = { maxSchedules: 0, random: { runs: 500, seed: 42 } };

  test('finds the atomicity bug from a seed, reproducibly, with a replayable schedule', () => {
    const verdict = explore(putThenCall, providerTarget, options);
    expect(verdict).toMatchObject({ verdict: 'violation', kind: 'use-after-free' });
    expect(explore(putThenCall, providerTarget, options)).toEqual(verdict);
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(replay(putThenCall, providerTarget, verdict.schedule)).toMatchObject({
      kind: verdict.kind,
      message: verdict.message,
      schedule: verdict.schedule,
      steps: verdict.steps,
    });
  });

  test('runs exactly the requested schedules on a clean scenario, the same ones for the same seed', () => {
    const verdict = explore(callThenPut, providerTarget, options);
    expect(verdict).toMatchObject({ verdict: 'clean', exhaustive: false, random: options.random });
    if (verdict.verdict !== 'clean') throw new Error('expected clean');
    expect(verdict.schedules + verdict.pruned).toBe(500);
    expect(explore(callThenPut, providerTarget, options)).toEqual(verdict);
  });

  test('follows the exhaustive phase when both are asked for: its schedules plus the random ones', () => {
    const random = { runs: 10, seed: 1 };
    const verdict = explore(callThenPut, providerTarget, { random });
    const exhaustive = explore(callThenPut, providerTarget);
    const randomOnly = explore(callThenPut, providerTarget, { maxSchedules: 0, random });
    if (exhaustive.verdict !== 'clean' || randomOnly.verdict !== 'clean') throw new Error('expected clean');
    expect(verdict).toMatchObject({
      verdict: 'clean',
      exhaustive: true,
      schedules: exhaustive.schedules + randomOnly.schedules,
    });
    // The random phase did run: more schedules than the exhaustive phase alone.
    expect(randomOnly.schedules).toBeGreaterThan(0);
  });
});

describe('PCT mode', () => {
  const options = { maxSchedules: 0, random: { runs: 300, seed: 7, pct: 2 } };

  test('finds the atomicity bug (depth 2: one ordering constraint past the first) from a seed, reproducibly, replayable', () => {
    const verdict = explore(putThenCall, providerTarget, options);
    expect(verdict).toMatchObject({ verdict: 'violation', kind: 'use-after-free' });
    expect(explore(putThenCall, providerTarget, options)).toEqual(verdict);
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(replay(putThenCall, providerTarget, verdict.schedule)).toMatchObject({
      kind: verdict.kind,
      message: verdict.message,
      steps: verdict.steps,
    });
  });

  test('at depth 1 (no change point) every schedule runs steps whole in priority order: no preemption, no bug', () => {
    const verdict = explore(putThenCall, providerTarget, {
      maxSchedules: 0,
      random: { runs: 200, seed: 3, pct: 1 },
    });
    expect(verdict).toMatchObject({ verdict: 'clean', exhaustive: false });
  });

  test('runs exactly the requested schedules on a clean scenario', () => {
    const verdict = explore(callThenPut, providerTarget, options);
    expect(verdict).toMatchObject({ verdict: 'clean', random: options.random });
    if (verdict.verdict !== 'clean') throw new Error('expected clean');
    expect(verdict.schedules + verdict.pruned).toBe(300);
  });
});
