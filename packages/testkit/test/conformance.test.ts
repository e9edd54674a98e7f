import { isVariant, registeredStrategies } from '@coupling-lab/lab';
import { conformanceCases, runCase } from '@coupling-lab/testkit';
import { realStrategies } from './strategies';

test('the suite covers every real strategy registered', () => {
  const registered = registeredStrategies()
    .filter((strategy) => !isVariant(strategy))
    .map((strategy) => strategy.name);
  expect([...realStrategies].sort()).toEqual(registered.sort());
});

test('case names are unique', () => {
  const names = conformanceCases.map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
});

describe.each(realStrategies)('%s on v5.17', (strategy) => {
  test.each(conformanceCases.map((c) => [`[${strategy}] ${c.name}`, c] as const))(
    '%s',
    (_name, conformanceCase) => {
      const result = runCase(strategy, conformanceCase);
      if (!result.ok) throw new Error(result.error);
    },
  );
});

// symbol-get's six functions were removed in v5.19: it runs on v5.17 only (its `kernels` says why).
describe.each(realStrategies.filter((strategy) => strategy !== 'symbol-get'))('%s on v6.6', (strategy) => {
  test.each(conformanceCases.map((c) => [`[${strategy} v6.6] ${c.name}`, c] as const))(
    '%s',
    (_name, conformanceCase) => {
      const result = runCase(strategy, conformanceCase, 'v6.6');
      if (!result.ok) throw new Error(result.error);
    },
  );
});
