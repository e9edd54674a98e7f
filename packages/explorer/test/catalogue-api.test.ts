import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errno, type ModuleImage, UnknownStrategyError } from '@coupling-lab/lab';
import { SymbolGetV517RaceStrategy } from '@coupling-lab/strategy-symbol-get';
import {
  catalogue,
  explore,
  type LabScenario,
  type LabWorld,
  replay,
  scenarioNamed,
  UnknownScenarioError,
} from '../src/index.js';
import './strategies.js';

describe('the catalogue', () => {
  test("holds SPEC 9's four races first, every entry named once, with a description and an invariant", () => {
    const names = catalogue.map((scenario) => scenario.name);
    expect(names.slice(0, 4)).toEqual([
      'add-vs-del',
      'rmmod-vfio-vs-vm-close',
      'rmmod-kvm_vfio-vs-create-device',
      'close-group-vs-add',
    ]);
    expect(new Set(names).size).toBe(names.length);
    for (const scenario of catalogue) {
      expect(scenario.description.length).toBeGreaterThan(40);
      expect(scenario.invariant).toMatch(/^No violation.*\.$/);
    }
  });

  test('an unknown scenario name is an error naming the valid ones', () => {
    expect(() => scenarioNamed('add-vs-dell')).toThrow(UnknownScenarioError);
    expect(() => explore('add-vs-dell', 'symbol-get')).toThrow(
      /unknown scenario "add-vs-dell"; the catalogue has: add-vs-del, /,
    );
  });
});

describe('explore and replay', () => {
  test('take a strategy as a registered name, a class or an instance, alike', () => {
    const byName = explore('add-vs-del', 'symbol-get/v5.17-race');
    expect(explore(scenarioNamed('add-vs-del'), SymbolGetV517RaceStrategy)).toEqual(byName);
    expect(explore('add-vs-del', new SymbolGetV517RaceStrategy())).toEqual(byName);
  });

  test('an unknown strategy name is lab’s error, listing the registered ones', () => {
    expect(() => explore('add-vs-del', 'symbol-got')).toThrow(UnknownStrategyError);
  });

  test('a scenario whose race cannot exist for the strategy is skipped, and has nothing to replay', () => {
    expect(explore('rmmod-kvm_vfio-vs-create-device', 'get-ops')).toEqual({
      verdict: 'skipped',
      reason: 'rmmod-kvm_vfio-vs-create-device does not apply to get-ops',
    });
    expect(() => replay('rmmod-kvm_vfio-vs-create-device', 'get-ops', '1 1 1 2')).toThrow(
      /does not apply to get-ops/,
    );
  });

  test('replay re-executes a clean schedule too, and rejects one that does not fit', () => {
    expect(replay('add-vs-del', 'symbol-get/v5.17-race', '2 1')).toMatchObject({
      verdict: 'clean',
      schedules: 1,
    });
    expect(() => replay('add-vs-del', 'symbol-get', '1 1')).toThrow(/does not match the scenario/);
  });

  test('random mode convicts from a seed, reproducibly and replayably', () => {
    const options = { maxSchedules: 0, random: { runs: 300, seed: 7 } };
    const verdict = explore('add-vs-del', 'symbol-get/v5.17-race', options);
    expect(verdict).toMatchObject({ verdict: 'violation', kind: 'stale-association' });
    expect(explore('add-vs-del', 'symbol-get/v5.17-race', options)).toEqual(verdict);
    if (verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(replay('add-vs-del', 'symbol-get/v5.17-race', verdict.schedule)).toMatchObject({
      kind: verdict.kind,
    });
  });
});

describe('the lab target', () => {
  /** A module with init and no exit: delete_module refuses it (-EBUSY), with no reference held. */
  const permanent: ModuleImage = {
    name: 'permanent',
    description: 'init without exit',
    imports: [],
    exports: {},
    load: () => ({ symbols: {}, init: () => 0 }),
  };

  test('a module teardown cannot unload is a leak naming it', () => {
    const scenario: LabScenario<null> = {
      name: 'stuck-module',
      description: 'loads a module that cannot be unloaded',
      invariant: 'No violation.',
      appliesTo: () => true,
      setup: (sys) => {
        sys.kernel.registerImage(permanent);
        return null;
      },
      threads: [[{ label: 'insmod permanent', run: ({ sys }) => sys.insmod('permanent') }]],
    };
    expect(explore(scenario, 'direct')).toMatchObject({
      verdict: 'violation',
      kind: 'leak',
      module: 'permanent',
      schedule: '1',
    });
  });

  test('a reference left behind is kmemleak’s leak, from inside teardown', () => {
    const scenario: LabScenario<null> = {
      name: 'leaked-reference',
      description: 'takes a reference on vfio and never drops it',
      invariant: 'No violation.',
      appliesTo: () => true,
      setup: (sys) => {
        expect(sys.modprobe('vfio')).toBe(0);
        return null;
      },
      threads: [
        [
          {
            label: 'try_module_get(vfio)',
            run: ({ sys }) => sys.kernel.tryModuleGet(sys.kernel.findModule('vfio') ?? null),
          },
        ],
      ],
    };
    expect(explore(scenario, 'direct')).toMatchObject({ verdict: 'violation', kind: 'leak', module: 'vfio' });
  });

  test('boots the strategy afresh for every schedule, as the strategy it is', () => {
    const results: string[] = [];
    const insmodVfio = {
      label: 'insmod vfio',
      run: ({ sys }: LabWorld<null>) => {
        const result = sys.insmod('vfio');
        results.push(
          `${sys.strategy.name} ${String(sys.strategy instanceof SymbolGetV517RaceStrategy)} ${result}`,
        );
      },
    };
    const scenario: LabScenario<null> = {
      name: 'insmod-twice',
      description: 'two threads insmod vfio: in every schedule exactly one of them loads it',
      invariant: 'No violation.',
      appliesTo: () => true,
      setup: () => null,
      threads: [[insmodVfio], [insmodVfio]],
    };
    const verdict = explore(scenario, 'symbol-get/v5.17-race');
    if (verdict.verdict !== 'clean') throw new Error(`expected clean, got ${JSON.stringify(verdict)}`);
    // Iterative deepening re-executes schedules, so there are more runs than distinct schedules.
    expect(results.length).toBeGreaterThanOrEqual(2 * verdict.schedules);
    for (let i = 0; i < results.length; i += 2) {
      expect(results.slice(i, i + 2).sort()).toEqual([
        `symbol-get/v5.17-race true -${errno.EEXIST}`,
        'symbol-get/v5.17-race true 0',
      ]);
    }
  });
});

test('the explorer’s sources use strategies only as given (tests and benches may import them)', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sources(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  const importing = sources(join(__dirname, '..', 'src')).filter((file) =>
    /from '@coupling-lab\/strategy-/.test(readFileSync(file, 'utf8')),
  );
  expect(importing).toEqual([]);
});
