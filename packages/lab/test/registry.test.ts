import {
  boot,
  COUPLING_STRATEGY,
  couplingStrategy,
  type CouplingEdge,
  type CouplingStrategy,
  isVariant,
  type Machine,
  type ModuleImage,
  registeredStrategies,
  registeredStrategyNames,
  registerStrategy,
  UnknownStrategyError,
} from '@coupling-lab/lab';
import { container } from 'tsyringe';
import { strategyClass, testModules } from './strategies';

function errorFrom(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

test('an unknown name throws UnknownStrategyError listing the registered names, real strategies first', () => {
  const scope = container.createChildContainer();
  registerStrategy(strategyClass('zeta'), scope);
  registerStrategy(strategyClass('alpha/race', 'alpha'), scope);
  registerStrategy(strategyClass('alpha'), scope);
  const error = errorFrom(() => boot({ strategy: 'get-ops', container: scope }));
  expect(error).toBeInstanceOf(UnknownStrategyError);
  if (!(error instanceof UnknownStrategyError)) return;
  expect(error.requested).toBe('get-ops');
  expect(error.registered).toEqual(['alpha', 'zeta', 'alpha/race']);
  expect(error.message).toBe('unknown strategy "get-ops"; registered: alpha, zeta, alpha/race');
});

test('with no strategy registered, the error says to import a strategy package', () => {
  const error = errorFrom(() => boot({ strategy: 'get-ops', container: container.createChildContainer() }));
  expect(error).toBeInstanceOf(UnknownStrategyError);
  expect(error instanceof Error ? error.message : '').toMatch(
    /no strategy is registered \(import a strategy package/,
  );
});

test("registeredStrategies lists a child container's strategies with the root's, each name once, sorted", () => {
  const scope = container.createChildContainer();
  registerStrategy(strategyClass('b'), scope);
  registerStrategy(strategyClass('a'), scope);
  expect(registeredStrategies(scope).map((strategy) => strategy.name)).toEqual(['a', 'b']);
  expect(registeredStrategyNames(container)).toEqual([]);
  expect(container.isRegistered(COUPLING_STRATEGY, true)).toBe(false);
});

test('isVariant tells a race-catalogue variant from a real strategy', () => {
  const [real, variant] = [new (strategyClass('x'))(), new (strategyClass('x/race', 'x'))()];
  expect(isVariant(real)).toBe(false);
  expect(isVariant(variant)).toBe(true);
});

test('the couplingStrategy decorator registers a class in the root container, so boot finds it by name', () => {
  @couplingStrategy()
  class Decorated implements CouplingStrategy {
    readonly name: string = 'decorated';
    readonly summary: string = 'registered by its decorator';
    readonly runtimeEdges: readonly CouplingEdge[] = [];
    modules(machine: Machine): ModuleImage[] {
      return testModules(machine);
    }
  }
  expect(registeredStrategyNames()).toEqual(['decorated']);
  expect(boot({ strategy: 'decorated' }).strategy).toBeInstanceOf(Decorated);
  const scope = container.createChildContainer();
  registerStrategy(strategyClass('local'), scope);
  expect(registeredStrategyNames(scope)).toEqual(['decorated', 'local']);
});
