import { catalogue, DEFAULT_BOUND, explore } from '../src/index.js';
import { realStrategies } from './strategies.js';

const defaultBound = DEFAULT_BOUND;

describe.each(realStrategies)('%s', (strategy) => {
  test.each(catalogue.map((scenario) => [scenario.name, scenario] as const))(
    'is clean on %s, exhaustively within the default bound, or skipped where the race cannot exist',
    (_name, scenario) => {
      const verdict = explore(scenario, strategy);
      // A race of a later kernel (close-device-vs-file-add: device cdevs arrived in v6.6).
      const notOnV517 = scenario.notOn?.['v5.17'];
      if (notOnV517 !== undefined) {
        expect(verdict).toEqual({ verdict: 'skipped', reason: expect.stringContaining(notOnV517) });
        return;
      }
      if (scenario.name === 'rmmod-kvm_vfio-vs-create-device' && strategy !== 'register-ops') {
        expect(verdict).toEqual({
          verdict: 'skipped',
          reason: `${scenario.name} does not apply to ${strategy}`,
        });
        return;
      }
      const notOn = scenario.notOn?.['v5.17'];
      if (notOn !== undefined) {
        expect(verdict).toEqual({
          verdict: 'skipped',
          reason: `${scenario.name} makes no sense on v5.17: ${notOn}`,
        });
        return;
      }
      // toMatchObject would hide a violation's schedule; show the whole verdict when it is not clean.
      expect(verdict.verdict === 'clean' ? 'clean' : verdict).toBe('clean');
      expect(verdict).toMatchObject({ verdict: 'clean', exhaustive: true, bound: defaultBound });
      if (verdict.verdict === 'clean') expect(verdict.schedules).toBeGreaterThan(0);
    },
  );
});
