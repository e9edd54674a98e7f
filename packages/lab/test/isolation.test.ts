import { boot, VFIO, vfioState } from '@coupling-lab/lab';
import { container } from 'tsyringe';
import { ok, TestStrategy } from './strategies';

test('two booted systems share no state: kernels, modules, files, groups, counters and violations are their own', () => {
  const a = boot({ strategy: TestStrategy, onViolation: 'record' });
  const b = boot({ strategy: TestStrategy });
  expect(a.kernel).not.toBe(b.kernel);
  expect(a.strategy).not.toBe(b.strategy);
  expect(a.container).not.toBe(b.container);

  ok(a.modprobeAll(), 'modprobeAll');
  const p = a.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  ok(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER');
  a.kernel.violation('leak', 'recorded in a only');

  expect(b.inspect()).toEqual({
    modules: [],
    vms: [],
    groups: [],
    sleeping: [],
    violations: [],
    tainted: false,
  });
  expect(b.counters).toEqual({
    symbolLookups: 0,
    moduleGets: 0,
    modulePuts: 0,
    crossModuleCalls: 0,
    indirectCalls: 0,
    lockAcquisitions: 0,
  });
  expect(b.kernel.livingProcesses()).toEqual([]);
  ok(b.modprobeAll(), 'modprobeAll b');
  expect(vfioState(b.kernel)).not.toBe(vfioState(a.kernel));
  expect(b.inspect().groups).toEqual([
    { id: 26, open: 0, containerUsers: 0, kvm: null },
    { id: 27, open: 0, containerUsers: 0, kvm: null },
  ]);
  expect(a.inspect().groups[0]).toEqual({ id: 26, open: 1, containerUsers: 1, kvm: null });
  expect(b.teardown()).toEqual([]);
  expect(a.inspect().modules.map((module) => module.name)).toEqual(['kvm', 'vfio', 'vfio_pci']);
});

test('two systems booted with one class in one container get separate strategy instances and kernels', () => {
  const scope = container.createChildContainer();
  const first = boot({ strategy: TestStrategy, container: scope });
  const second = boot({ strategy: TestStrategy, container: scope });
  expect(first.strategy).not.toBe(second.strategy);
  expect(first.kernel).not.toBe(second.kernel);
});
