import {
  boot,
  BootOptionsError,
  type BootOptions,
  LockDep,
  strategyContractProblem,
} from '@coupling-lab/lab';
import { TestStrategy } from './strategies';

function bootError(options: unknown): BootOptionsError {
  try {
    boot(options as BootOptions);
  } catch (error) {
    if (error instanceof BootOptionsError) return error;
    throw new Error(`expected a BootOptionsError, got ${String(error)}`);
  }
  throw new Error('expected boot() to throw');
}

test('boot() and boot({}) say that the strategy option is missing', () => {
  for (const options of [undefined, {}, null]) {
    const error = bootError(options);
    expect(error.option).toBe('strategy');
    expect(error.message).toMatch(/^boot\(\): .*strategy/);
    expect(error).toBeInstanceOf(TypeError);
  }
});

test('each ill-typed option is named in the error', () => {
  const strategy = TestStrategy;
  const cases: [unknown, string, RegExp][] = [
    [
      { strategy: 42 },
      'strategy',
      /strategy must be a strategy instance, class or registered name, got number 42/,
    ],
    [{ strategy: '' }, 'strategy', /strategy must be .* got ""/],
    [{ strategy, devices: 'none' }, 'devices', /devices must be an array/],
    [{ strategy, devices: [null] }, 'devices[0]', /devices\[0\] must be \{ address, iommuGroup, coherent \}/],
    [
      {
        strategy,
        devices: [
          { address: '0000:01:00.0', iommuGroup: 26, coherent: true },
          { address: 'x', iommuGroup: -1, coherent: true },
        ],
      },
      'devices[1].iommuGroup',
      /devices\[1\]\.iommuGroup must be a non-negative integer, got number -1/,
    ],
    [
      { strategy, devices: [{ address: '', iommuGroup: 1, coherent: true }] },
      'devices[0].address',
      /address/,
    ],
    [
      { strategy, devices: [{ address: 'a', iommuGroup: 1, coherent: 'yes' }] },
      'devices[0].coherent',
      /coherent must be true or false, got "yes"/,
    ],
    [{ strategy, forceUnload: 'yes' }, 'forceUnload', /forceUnload must be true or false/],
    [
      { strategy, onViolation: 'ignore' },
      'onViolation',
      /onViolation must be 'throw' or 'record', got "ignore"/,
    ],
    [{ strategy, lockdep: {} }, 'lockdep', /lockdep must be a LockDep/],
    [{ strategy, container: 3 }, 'container', /container must be a tsyringe DependencyContainer/],
    [
      { strategy, strategies: ['direct'] },
      'strategies',
      /unknown option "strategies"; valid: strategy, linux, devices/,
    ],
    [{ strategy, linux: 'v6.1' }, 'linux', /unknown Linux version "v6.1"; the lab models: v5.17, v6.6/],
  ];
  for (const [options, option, message] of cases) {
    const error = bootError(options);
    expect({ option: error.option, message: error.message }).toEqual({
      option,
      message: expect.stringMatching(message),
    });
  }
});

test('a strategy object that breaks the contract is refused, naming the member', () => {
  const noModules = { name: 'half', summary: 'no modules', runtimeEdges: [] };
  expect(bootError({ strategy: noModules }).message).toBe('boot(): strategy "half": modules() is missing');
  const badEdge = {
    ...noModules,
    modules: () => [],
    runtimeEdges: [{ from: 'kvm', to: 'vfio', kind: 'wire' }],
  };
  expect(bootError({ strategy: badEdge }).message).toMatch(
    /runtimeEdges\[0\]\.kind must be one of hard, symbol_get, registers, got "wire"/,
  );
});

test('the contract check accepts a real strategy and names each missing member', () => {
  expect(strategyContractProblem(new TestStrategy())).toBeUndefined();
  const full = { name: 'x', summary: 's', runtimeEdges: [], modules: () => [] };
  const without = (member: string): unknown =>
    Object.fromEntries(Object.entries(full).filter(([key]) => key !== member));
  expect(strategyContractProblem(without('name'))).toBe('name is missing');
  expect(strategyContractProblem(without('summary'))).toBe('summary is missing');
  expect(strategyContractProblem(without('runtimeEdges'))).toBe('runtimeEdges is missing');
  expect(strategyContractProblem(without('modules'))).toBe('modules() is missing');
  expect(strategyContractProblem({ ...full, variant: { of: 'x' } })).toBe(
    'variant.difference must be a string',
  );
  expect(strategyContractProblem('direct')).toBe('a strategy must be an object, got "direct"');
});

test('valid options still boot, a shared LockDep included', () => {
  const lockdep = new LockDep();
  expect(
    boot({ strategy: TestStrategy, lockdep, forceUnload: false, onViolation: 'record' }).kernel.lockdep,
  ).toBe(lockdep);
});
