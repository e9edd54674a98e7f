import {
  boot,
  type CouplingEdge,
  type CouplingStrategy,
  defaultDevices,
  Kernel,
  MACHINE,
  type Machine,
  type ModuleImage,
  registerStrategy,
  vfioState,
} from '@coupling-lab/lab';
import { container, inject, injectable } from 'tsyringe';
import { ok, strategyClass, TestStrategy, testModules } from './strategies';

test('boot with a strategy instance uses that very instance', () => {
  const strategy = new TestStrategy();
  const sys = boot({ strategy });
  expect(sys.strategy).toBe(strategy);
});

test('boot with a strategy class constructs one for the system', () => {
  const sys = boot({ strategy: TestStrategy });
  expect(sys.strategy).toBeInstanceOf(TestStrategy);
  expect(sys.strategy.name).toBe('test-direct');
});

test('boot with a registered name finds the strategy registered in the given container', () => {
  const scope = container.createChildContainer();
  const Named = strategyClass('named');
  registerStrategy(Named, scope);
  const sys = boot({ strategy: 'named', container: scope });
  expect(sys.strategy).toBeInstanceOf(Named);
  expect(sys.strategy.name).toBe('named');
});

test('a strategy registered in one container is unknown to boots in another', () => {
  const scope = container.createChildContainer();
  registerStrategy(strategyClass('elsewhere'), scope);
  expect(() => boot({ strategy: 'elsewhere', container: container.createChildContainer() })).toThrow(
    'unknown strategy "elsewhere"',
  );
});

@injectable()
class NeedsKernel implements CouplingStrategy {
  readonly name: string = 'needs-kernel';
  readonly summary: string = 'a strategy with constructor dependencies';
  readonly runtimeEdges: readonly CouplingEdge[] = [];

  constructor(
    @inject(Kernel) readonly kernel: Kernel,
    @inject(MACHINE) readonly machine: Machine,
  ) {}

  modules(machine: Machine): ModuleImage[] {
    return testModules(machine);
  }
}

test("a strategy class gets its constructor dependencies, the Kernel and the Machine, from the system's container", () => {
  const devices = [{ address: '0000:09:00.0', iommuGroup: 9, coherent: true }];
  const sys = boot({ strategy: NeedsKernel, devices });
  expect(sys.strategy).toBeInstanceOf(NeedsKernel);
  const strategy = sys.strategy as NeedsKernel;
  expect(strategy.kernel).toBe(sys.kernel);
  expect(strategy.machine.devices).toBe(devices);
});

test("a strategy registered by name also gets the booted system's Kernel injected", () => {
  const scope = container.createChildContainer();
  registerStrategy(NeedsKernel, scope);
  const first = boot({ strategy: 'needs-kernel', container: scope });
  const second = boot({ strategy: 'needs-kernel', container: scope });
  expect((first.strategy as NeedsKernel).kernel).toBe(first.kernel);
  expect((second.strategy as NeedsKernel).kernel).toBe(second.kernel);
  expect(first.strategy).not.toBe(second.strategy);
});

test('each System has its own child container, with its Kernel and Machine registered there and not in the parent', () => {
  const scope = container.createChildContainer();
  const sys = boot({ strategy: TestStrategy, container: scope });
  expect(sys.container).not.toBe(scope);
  expect(sys.container.resolve(Kernel)).toBe(sys.kernel);
  expect(sys.container.resolve<Machine>(MACHINE).devices).toBe(defaultDevices);
  expect(scope.isRegistered(Kernel, true)).toBe(false);
  expect(container.isRegistered(Kernel, true)).toBe(false);
});

test("boot loads nothing; it makes the strategy's images available in load order", () => {
  const sys = boot({ strategy: TestStrategy });
  expect(sys.inspect().modules).toEqual([]);
  expect(sys.kernel.loadedModules()).toEqual([]);
  expect(sys.modules).toEqual(['vfio', 'vfio_pci', 'kvm']);
  expect(sys.modules.map((name) => sys.kernel.image(name)?.name)).toEqual(['vfio', 'vfio_pci', 'kvm']);
});

test("the default machine is SPEC 12's: 0000:01:00.0 in coherent group 26 and 0000:02:00.0 in non-coherent group 27", () => {
  const sys = boot({ strategy: TestStrategy });
  ok(sys.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const groups = [...(vfioState(sys.kernel)?.groups.values() ?? [])];
  expect(
    groups.map((group) => [group.id, group.devices.map((device) => device.config.address), group.coherent]),
  ).toEqual([
    [26, ['0000:01:00.0'], true],
    [27, ['0000:02:00.0'], false],
  ]);
});

test('boot passes forceUnload, onViolation and a shared lock-order graph to the kernel', () => {
  const first = boot({ strategy: TestStrategy, forceUnload: true, onViolation: 'record' });
  expect(first.kernel.forceUnload).toBe(true);
  expect(first.kernel.onViolation).toBe('record');
  const second = boot({ strategy: TestStrategy, lockdep: first.kernel.lockdep });
  expect(second.kernel.lockdep).toBe(first.kernel.lockdep);
  expect(second.kernel.forceUnload).toBe(false);
  expect(second.kernel.onViolation).toBe('throw');
});
