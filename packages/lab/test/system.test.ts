import {
  boot,
  type CouplingEdge,
  type CouplingStrategy,
  countersDelta,
  errno,
  type Machine,
  type ModuleImage,
  standardModules,
  externalUserExports,
} from '@coupling-lab/lab';
import { ok, TestStrategy, testModules, violationFrom } from './strategies';

/** A strategy whose module list is given as is (order and extra images). */
function listed(name: string, modules: (machine: Machine) => ModuleImage[]): CouplingStrategy {
  const runtimeEdges: readonly CouplingEdge[] = [];
  return { name, summary: 'modules as listed', runtimeEdges, modules };
}

function failingImage(name: string, result: number): ModuleImage {
  return {
    name,
    description: 'init fails',
    imports: [],
    exports: {},
    load: () => ({ symbols: {}, init: () => result }),
  };
}

test('modprobeAll loads every module of the strategy in its order, each after the modules it imports from', () => {
  const kvmFirst = listed('kvm-first', (machine) => {
    const [vfio, vfioPci, kvm] = testModules(machine);
    if (vfio === undefined || vfioPci === undefined || kvm === undefined)
      throw new Error('three images expected');
    return [kvm, vfioPci, vfio];
  });
  const sys = boot({ strategy: kvmFirst });
  expect(sys.modprobeAll()).toBe(0);
  expect(sys.kernel.loadedModules().map((module) => module.name)).toEqual(['vfio', 'kvm', 'vfio_pci']);
  expect(sys.modprobeAll()).toBe(0);
});

test("modprobeAll of the usual module set loads vfio, vfio_pci, kvm, then the strategy's glue", () => {
  const sys = boot({
    strategy: listed('glue', (machine) => testModules(machine, [failingImage('glue', 0)])),
  });
  expect(sys.modprobeAll()).toBe(0);
  expect(sys.kernel.loadedModules().map((module) => module.name)).toEqual([
    'vfio',
    'vfio_pci',
    'kvm',
    'glue',
  ]);
  expect(sys.modules).toEqual(['vfio', 'vfio_pci', 'kvm', 'glue']);
});

test('modprobeAll stops at the first module that fails to load and returns its error', () => {
  const sys = boot({
    strategy: listed('broken', (machine) => {
      const [vfio, vfioPci, kvm] = standardModules(machine, { vfioExports: [externalUserExports], kvm: {} });
      if (vfio === undefined || vfioPci === undefined || kvm === undefined)
        throw new Error('three images expected');
      return [vfio, failingImage('broken', -errno.ENODEV), kvm];
    }),
  });
  expect(sys.modprobeAll()).toBe(-errno.ENODEV);
  expect(sys.inspect().modules.map((module) => module.name)).toEqual(['vfio']);
});

test('insmod, modprobe and rmmod return 0 or the negative errno of the module calls', () => {
  const sys = boot({ strategy: TestStrategy });
  expect(sys.insmod('kvm')).toBe(-errno.ENOENT);
  expect(sys.insmod('nosuch')).toBe(-errno.ENOENT);
  expect(sys.modprobe('kvm')).toBe(0);
  expect(sys.insmod('kvm')).toBe(-errno.EEXIST);
  expect(sys.rmmod('vfio')).toBe(-errno.EWOULDBLOCK);
  expect(sys.rmmod('kvm')).toBe(0);
  expect(sys.rmmod('kvm')).toBe(-errno.ENOENT);
});

test('rmmod with force unloads a module still in use only on a kernel booted with forceUnload, and taints it', () => {
  const sys = boot({ strategy: TestStrategy, forceUnload: true });
  ok(sys.modprobeAll(), 'modprobeAll');
  const p = sys.spawn('qemu');
  const fd = ok(p.open('/dev/kvm'), 'open /dev/kvm');
  expect(sys.rmmod('kvm')).toBe(-errno.EWOULDBLOCK);
  expect(sys.inspect().tainted).toBe(false);
  expect(sys.rmmod('kvm', { force: true })).toBe(0);
  expect(sys.inspect().modules.map((module) => module.name)).toEqual(['vfio', 'vfio_pci']);
  expect(sys.inspect().tainted).toBe(true);
  expect(violationFrom(() => p.close(fd)).kind).toBe('use-after-free');
});

test('rmmod with force on a kernel built without forceUnload gives -EWOULDBLOCK and does not taint', () => {
  const sys = boot({ strategy: TestStrategy });
  ok(sys.modprobeAll(), 'modprobeAll');
  sys.spawn('qemu').open('/dev/kvm');
  expect(sys.rmmod('kvm', { force: true })).toBe(-errno.EWOULDBLOCK);
  expect(sys.inspect().tainted).toBe(false);
  expect(sys.inspect().modules.map((module) => module.name)).toContain('kvm');
});

test('counters is a snapshot: subtracting two costs an operation', () => {
  const sys = boot({ strategy: TestStrategy });
  ok(sys.modprobeAll(), 'modprobeAll');
  const before = sys.counters;
  const p = sys.spawn('qemu');
  ok(p.open('/dev/kvm'), 'open /dev/kvm');
  const after = sys.counters;
  expect(countersDelta(before, after)).toEqual({
    symbolLookups: 0,
    moduleGets: 1,
    modulePuts: 0,
    crossModuleCalls: 0,
    indirectCalls: 0,
    lockAcquisitions: 0,
  });
  expect(sys.counters).toEqual(after);
});
