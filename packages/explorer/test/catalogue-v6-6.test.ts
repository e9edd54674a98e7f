import { catalogue, explore, replay } from '../src/index.js';
import { realStrategies } from './strategies.js';

// symbol-get does not run on v6.6 (its functions were removed in v5.19): it is skipped, with the reason.
const onV66 = realStrategies.filter((strategy) => strategy !== 'symbol-get');

// At two preemptions, the bound before it was raised to 3, to keep the suite fast (the whole
// catalogue on v5.17 runs at the default bound in catalogue-clean.test.ts; bench/por.mjs times it).
const bound = { maxDepth: 2, maxPreemptions: 2 };

describe.each(onV66)('%s on v6.6', (strategy) => {
  test.each(catalogue.map((scenario) => [scenario.name, scenario] as const))(
    'is clean on %s, exhaustively within two preemptions, or skipped where the race cannot exist',
    (_name, scenario) => {
      const verdict = explore(scenario, strategy, { linux: 'v6.6', ...bound });
      if (scenario.name === 'rmmod-kvm_vfio-vs-create-device' && strategy !== 'register-ops') {
        expect(verdict.verdict).toBe('skipped');
        return;
      }
      expect(verdict.verdict === 'clean' ? 'clean' : verdict).toBe('clean');
      expect(verdict).toMatchObject({ verdict: 'clean', exhaustive: true });
    },
  );
});

test('symbol-get is skipped on v6.6, saying why', () => {
  expect(explore('add-vs-del', 'symbol-get', { linux: 'v6.6' })).toEqual({
    verdict: 'skipped',
    reason: expect.stringContaining('removed in v5.19') as unknown as string,
  });
});

test("the v5.19 set_kvm window exists on v6.6's file-based VFIO too, and replays there", () => {
  const verdict = explore('add-vs-del', 'symbol-get-file/v5.19-race', { linux: 'v6.6' });
  expect(verdict).toMatchObject({ verdict: 'violation', kind: 'use-after-free', object: 'kvm_vfio_group' });
  if (verdict.verdict !== 'violation') throw new Error('expected a violation');
  expect(replay('add-vs-del', 'symbol-get-file/v5.19-race', verdict.schedule, 'v6.6')).toMatchObject({
    kind: 'use-after-free',
  });
});
