import { explore, exploreInUnits, inThisThread, replay, type UnitRunner } from '../src/core/index.js';
import { exploreParallel } from '../src/index.js';
import { threeWayFirstComer, sleepTarget } from './sleeping-toys.js';
import { abbaFirstComer, callThenPut, lockTarget, providerTarget, putThenCall } from './toys.js';
import './strategies.js';

// Work units run in any order must merge to what they give in order: reversing the results of
// the in-thread runner stands for workers that finish in another order.
function reversed<W>(...args: Parameters<typeof inThisThread<W>>): UnitRunner {
  const inOrder = inThisThread(...args);
  return async (units) => [...(await inOrder(units))].reverse();
}

describe('work units', () => {
  test('a cycle whose dependencies different units took is found at the merge, and its schedule replays it', async () => {
    const verdict = await exploreInUnits(
      abbaFirstComer,
      lockTarget,
      {},
      inThisThread(abbaFirstComer, lockTarget),
    );
    expect(verdict).toMatchObject({ verdict: 'violation', kind: 'lock-order' });
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(verdict.schedule).toContain(';');
    expect(replay(abbaFirstComer, lockTarget, verdict.schedule)).toMatchObject({
      kind: 'lock-order',
      message: verdict.message,
      steps: verdict.steps,
    });
    const shuffled = await exploreInUnits(
      abbaFirstComer,
      lockTarget,
      {},
      reversed(abbaFirstComer, lockTarget),
    );
    expect(shuffled).toEqual(verdict);
  });

  test('a three-class cycle over three schedules merges to the same chain in any order', async () => {
    const inOrder = await exploreInUnits(
      threeWayFirstComer,
      sleepTarget,
      {},
      inThisThread(threeWayFirstComer, sleepTarget),
    );
    const shuffled = await exploreInUnits(
      threeWayFirstComer,
      sleepTarget,
      {},
      reversed(threeWayFirstComer, sleepTarget),
    );
    expect(inOrder).toMatchObject({ verdict: 'violation', kind: 'lock-order', preemptions: 0 });
    expect(shuffled).toEqual(inOrder);
  });

  test('units give the verdict and minimal preemptions of one whole exploration', async () => {
    for (const [scenario, target] of [
      [putThenCall, providerTarget],
      [callThenPut, providerTarget],
    ] as const) {
      const whole = explore(scenario, target);
      const split = await exploreInUnits(scenario, target, {}, inThisThread(scenario, target));
      expect(split.verdict).toBe(whole.verdict);
      if (whole.verdict === 'violation' && split.verdict === 'violation') {
        expect(split.preemptions).toBe(whole.preemptions);
        expect(split.kind).toBe(whole.kind);
      }
      if (whole.verdict === 'clean') expect(split).toMatchObject({ verdict: 'clean', exhaustive: true });
    }
  });
});

describe('the worker pool', () => {
  const imports = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'].map(
    (name) => `@coupling-lab/strategy-${name}`,
  );

  test.each([
    ['add-vs-del', 'symbol-get-file/v5.19-race', {}],
    ['rmmod-vfio-vs-vm-close', 'get-ops', {}],
    // Batches share explored states: the count must not depend on which worker set up first
    // (2 preemptions are enough to show it, and keep the test short).
    ['vm-close-vs-rmmod-all', 'direct', { maxPreemptions: 2 }],
  ])(
    '%s x %s: two workers give exactly what one gives',
    async (scenario, strategy, bound) => {
      const one = await exploreParallel(scenario, strategy, { workers: 1, imports, ...bound });
      const two = await exploreParallel(scenario, strategy, { workers: 2, imports, ...bound });
      expect(two).toEqual(one);
      expect(one.verdict).not.toBe('skipped');
    },
    30_000,
  );

  test('a number of workers that is not a whole number >= 1 is refused', async () => {
    await expect(exploreParallel('add-vs-del', 'direct', { workers: 0 })).rejects.toThrow(/whole number/);
  });
});
