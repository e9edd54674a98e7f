import { boot, isVariant, registeredStrategyNames } from '@coupling-lab/lab';
import { conformanceCases, runCase } from '@coupling-lab/testkit';
import { BrokerStrategy } from '@coupling-lab/example-custom-strategy';

test("importing the example registers 'broker' as a real strategy", () => {
  expect(registeredStrategyNames()).toContain('broker');
  expect(boot({ strategy: 'broker' }).strategy).toBeInstanceOf(BrokerStrategy);
  expect(isVariant(new BrokerStrategy())).toBe(false);
});

// One test per case, as packages/testkit runs it for the built-in strategies.
test.each(conformanceCases.map((c) => [c.name, c] as const))('[broker] %s', (_name, conformanceCase) => {
  const result = runCase(BrokerStrategy, conformanceCase);
  if (!result.ok) throw new Error(result.error);
});
