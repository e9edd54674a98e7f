import { counterNames, countersDelta, Mutex, type CounterSnapshot } from '@coupling-lab/kernel';
import { driverImage, kernelWith, libImage, testImage, userImage } from './helpers';

type Add = (a: number, b: number) => number;

const zero: CounterSnapshot = {
  symbolLookups: 0,
  moduleGets: 0,
  modulePuts: 0,
  crossModuleCalls: 0,
  indirectCalls: 0,
  lockAcquisitions: 0,
};

test('a fresh kernel has every counter at zero', () => {
  expect(kernelWith([]).counters.snapshot()).toEqual(zero);
});

test('counterNames lists the six counters of a snapshot', () => {
  expect([...counterNames].sort()).toEqual(Object.keys(zero).sort());
});

test('symbolGet counts one lookup and one module get; symbolPut one module put', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const before = kernel.counters.snapshot();
  kernel.symbolGet('lib_add');
  kernel.symbolPut('lib_add');
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({
    ...zero,
    symbolLookups: 1,
    moduleGets: 1,
    modulePuts: 1,
  });
});

test('a failed symbolGet still counts the lookup but takes no reference', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const before = kernel.counters.snapshot();
  kernel.symbolGet('lib_plain');
  kernel.symbolGet('missing_fn');
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({ ...zero, symbolLookups: 2 });
});

test('loading a module with an import counts the module get of its use edge; unloading it the put', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const before = kernel.counters.snapshot();
  expect(kernel.insmod('user')).toBe(0);
  const loaded = kernel.counters.snapshot();
  expect(countersDelta(before, loaded)).toEqual({ ...zero, moduleGets: 1 });
  expect(kernel.deleteModule('user')).toBe(0);
  expect(countersDelta(loaded, kernel.counters.snapshot())).toEqual({ ...zero, modulePuts: 1 });
});

test('open and close of a device node count one module get and one module put', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const before = kernel.counters.snapshot();
  p.close(p.open('/dev/drv'));
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({
    ...zero,
    moduleGets: 1,
    modulePuts: 1,
  });
});

test('a call to an imported function counts one cross-module call and no indirect call', () => {
  let add: Add | undefined;
  const kernel = kernelWith([
    libImage(),
    testImage('user', {
      imports: ['lib_add'],
      load: (context) => {
        add = context.import<Add>('lib_add');
      },
    }),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  const before = kernel.counters.snapshot();
  expect(add?.(1, 1)).toBe(2);
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({ ...zero, crossModuleCalls: 1 });
});

test('a call through an ops table counts as cross-module and indirect; its data fields are untouched', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib');
  if (lib === undefined) throw new Error('lib not loaded');
  const ops = kernel.opsTable(lib, 'lib_ops', { version: 2, double: (n: number) => n * 2 });
  const before = kernel.counters.snapshot();
  expect(ops.double(4)).toBe(8);
  expect(ops.version).toBe(2);
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({
    ...zero,
    crossModuleCalls: 1,
    indirectCalls: 1,
  });
});

test('every mutex lock counts one lock acquisition', () => {
  const kernel = kernelWith([]);
  const lock = new Mutex(kernel, 'kvm->lock', 'kvm');
  const before = kernel.counters.snapshot();
  lock.with(() => undefined);
  lock.with(() => undefined);
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({ ...zero, lockAcquisitions: 2 });
});

test('a snapshot is a copy that later operations do not change', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const snapshot = kernel.counters.snapshot();
  kernel.symbolGet('lib_add');
  expect(snapshot.symbolLookups).toBe(0);
  expect(kernel.counters.symbolLookups).toBe(1);
});

test('countersDelta subtracts field by field, so an operation is priced from any starting point', () => {
  const kernel = kernelWith([libImage(), driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('drv')).toBe(0);
  const lib = kernel.findModule('lib');
  if (lib === undefined) throw new Error('lib not loaded');
  const ops = kernel.opsTable(lib, 'lib_ops', { run: () => 0 });
  const lock = new Mutex(kernel, 'A', 'm');
  const p = kernel.spawn('proc');
  const work = (): void => {
    kernel.symbolGet<Add>('lib_add')?.(1, 2);
    kernel.symbolPut('lib_add');
    ops.run();
    lock.with(() => undefined);
    p.close(p.open('/dev/drv'));
  };
  work();
  const before = kernel.counters.snapshot();
  expect(Object.values(before).every((count) => count > 0)).toBe(true);
  work();
  work();
  expect(countersDelta(before, kernel.counters.snapshot())).toEqual({
    symbolLookups: 2,
    moduleGets: 4,
    modulePuts: 4,
    crossModuleCalls: 4,
    indirectCalls: 2,
    lockAcquisitions: 2,
  });
});
