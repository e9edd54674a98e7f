import {
  isKernelViolation,
  KernelObject,
  KernelViolation,
  O_TRUNC,
  Refcount,
  Tracer,
  type Kernel,
} from '@coupling-lab/kernel';
import { driverImage, gpl, kernelWith, libImage, testImage } from './helpers';

type Add = (a: number, b: number) => number;

function caught(action: () => void): KernelViolation {
  try {
    action();
  } catch (error) {
    if (isKernelViolation(error)) return error;
    throw error;
  }
  throw new Error('no violation was raised');
}

function kinds(kernel: Kernel): string[] {
  return kernel.violations.map((violation) => violation.kind);
}

test("calling a freed module's exported function through a pointer someone kept is a use-after-free naming the module", () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const add = kernel.symbolGet<Add>('lib_add');
  kernel.symbolPut('lib_add');
  expect(kernel.deleteModule('lib')).toBe(0);
  const violation = caught(() => add?.(1, 2));
  expect(violation.kind).toBe('use-after-free');
  expect(violation.module).toBe('lib');
  expect(violation.object).toBe('lib_add');
  expect(kernel.violations).toEqual([violation]);
});

test('the same call while the module is LIVE is no violation', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const add = kernel.symbolGet<Add>('lib_add');
  expect(add?.(1, 2)).toBe(3);
  expect(kernel.violations).toEqual([]);
});

test('calling through an ops table of a freed module is a use-after-free naming the module and the operation', () => {
  const kernel = kernelWith([libImage()], { onViolation: 'record' });
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib');
  if (lib === undefined) throw new Error('lib not loaded');
  const ops = kernel.opsTable(lib, 'lib_ops', { get: () => 'value' });
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(ops.get()).toBe('value');
  expect(kernel.violations.map((violation) => [violation.kind, violation.module, violation.object])).toEqual([
    ['use-after-free', 'lib', 'lib_ops.get'],
  ]);
});

test('touching a KernelObject after kfree is a use-after-free naming the object', () => {
  const kernel = kernelWith([]);
  const object = new KernelObject('kvm_vfio_group', null);
  kernel.touch(object);
  kernel.kfree(object);
  const violation = caught(() => kernel.touch(object));
  expect([violation.kind, violation.object, violation.module]).toEqual([
    'use-after-free',
    'kvm_vfio_group',
    undefined,
  ]);
});

test('freeing a KernelObject twice is a use-after-free', () => {
  const kernel = kernelWith([]);
  const object = new KernelObject('kvm_vfio_group', null);
  kernel.kfree(object);
  expect(caught(() => kernel.kfree(object)).kind).toBe('use-after-free');
});

test('an object owned by a module is poisoned once the module is freed, and touching it names the module', () => {
  let object: KernelObject | undefined;
  const kernel = kernelWith([
    testImage('vfio', {
      init: ({ module }) => {
        object = new KernelObject('vfio_group 26', module);
        return 0;
      },
      exit: () => undefined,
    }),
  ]);
  expect(kernel.insmod('vfio')).toBe(0);
  if (object === undefined) throw new Error('init did not run');
  const kept = object;
  kernel.touch(kept);
  expect(kernel.deleteModule('vfio')).toBe(0);
  expect(kept.poisoned).toBe(true);
  const violation = caught(() => kernel.touch(kept));
  expect([violation.kind, violation.module, violation.object]).toEqual([
    'use-after-free',
    'vfio',
    'vfio_group 26',
  ]);
});

test('module_put after a forced unload is a use-after-free of the freed module', () => {
  const kernel = kernelWith([libImage()], { forceUnload: true });
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib') ?? null;
  expect(kernel.tryModuleGet(lib)).toBe(true);
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(0);
  const violation = caught(() => kernel.modulePut(lib));
  expect([violation.kind, violation.module]).toEqual(['use-after-free', 'lib']);
  expect(caught(() => kernel.tryModuleGet(lib)).kind).toBe('use-after-free');
});

test('symbolPut after the exporting module was forced out is a use-after-free naming the symbol', () => {
  const kernel = kernelWith([libImage()], { forceUnload: true });
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolGet('lib_add')).not.toBeNull();
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(0);
  const violation = caught(() => kernel.symbolPut('lib_add'));
  expect([violation.kind, violation.object]).toEqual(['use-after-free', 'lib_add']);
});

test('an ioctl on a file whose driver was forced out is a use-after-free naming the driver', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv', { ioctl: () => 0 })], {
    forceUnload: true,
    onViolation: 'record',
  });
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  expect(kernel.deleteModule('drv', O_TRUNC)).toBe(0);
  expect(kernel.tainted).toBe(true);
  expect(p.ioctl(fd, 1)).toBe(0);
  expect(kernel.violations.map((violation) => [violation.kind, violation.module])).toEqual([
    ['use-after-free', 'drv'],
  ]);
});

test('module_put with no reference held is a refcount underflow', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const violation = caught(() => kernel.modulePut(kernel.findModule('lib') ?? null));
  expect([violation.kind, violation.module]).toEqual(['refcount-underflow', 'lib']);
});

test('checkLeaks reports a module reference, an open file and a Refcount left at shutdown', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv'), libImage()], { onViolation: 'record' });
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolGet('lib_add')).not.toBeNull();
  kernel.spawn('proc').open('/dev/drv');
  const ref = new Refcount(kernel, 'kvm 1', 'kvm');
  ref.get();
  kernel.checkLeaks();
  expect(kernel.violations.map((violation) => [violation.kind, violation.module, violation.object])).toEqual([
    ['leak', 'drv', undefined],
    ['leak', 'lib', undefined],
    ['leak', undefined, 'file /dev/drv'],
    ['leak', 'kvm', 'kvm 1'],
  ]);
});

test('checkLeaks is silent when everything was released, and a retired Refcount is no longer watched', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  p.open('/dev/drv');
  p.exit();
  const ref = new Refcount(kernel, 'kvm 1', 'kvm');
  ref.get();
  ref.retire();
  expect(kernel.deleteModule('drv')).toBe(0);
  kernel.checkLeaks();
  expect(kernel.violations).toEqual([]);
});

test('a module exit that finds its object still referenced after a forced unload reports a dangling reference', () => {
  let users: Refcount | undefined;
  const kernel = kernelWith(
    [
      testImage('vfio', {
        init: ({ kernel: k, module }) => {
          users = new Refcount(k, 'vfio_group 26', module.name);
          return 0;
        },
        exit: ({ kernel: k, module }) => {
          if (users !== undefined && users.count > 0) {
            k.violation('dangling-reference', `vfio_group 26 still has ${users.count} user(s)`, {
              module: module.name,
              object: users.label,
            });
          }
        },
      }),
    ],
    { forceUnload: true, onViolation: 'record' },
  );
  expect(kernel.insmod('vfio')).toBe(0);
  const vfio = kernel.findModule('vfio') ?? null;
  expect(kernel.tryModuleGet(vfio)).toBe(true);
  users?.get();
  expect(kernel.deleteModule('vfio', O_TRUNC)).toBe(0);
  expect(kernel.violations.map((violation) => [violation.kind, violation.module, violation.object])).toEqual([
    ['dangling-reference', 'vfio', 'vfio_group 26'],
  ]);
  expect(vfio?.state).toBe('FREED');
});

test("in 'record' mode a violation is recorded and the call completes as the kernel would", () => {
  const kernel = kernelWith([libImage()], { onViolation: 'record' });
  expect(kernel.insmod('lib')).toBe(0);
  const add = kernel.symbolGet<Add>('lib_add');
  kernel.symbolPut('lib_add');
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(add?.(20, 22)).toBe(42);
  expect(kinds(kernel)).toEqual(['use-after-free']);
  expect(kernel.violations[0]).toBeInstanceOf(KernelViolation);
});

test("in 'throw' mode (the default) the violation is thrown from the call and also recorded", () => {
  const kernel = kernelWith([]);
  expect(kernel.onViolation).toBe('throw');
  expect(() =>
    kernel.violation('stale-association', 'group 26 still points at VM 1', { object: 'group 26' }),
  ).toThrow(KernelViolation);
  expect(kinds(kernel)).toEqual(['stale-association']);
});

test('a violation carries kind, module, object, message and the tail of the trace, and serialises to JSON', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')], { onViolation: 'record' });
  kernel.tracer = new Tracer();
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('qemu');
  p.close(p.open('/dev/drv'));
  kernel.violation('leak', 'something stayed', { module: 'drv', object: 'thing' });
  const [violation] = kernel.violations;
  expect(violation?.message).toBe('leak: something stayed');
  expect(JSON.parse(JSON.stringify(violation))).toEqual({
    kind: 'leak',
    module: 'drv',
    object: 'thing',
    message: 'leak: something stayed',
    trace: [
      { thread: 0, point: 'syscall', subject: 'init_module(drv)' },
      { thread: 0, point: 'syscall', subject: 'qemu: open(/dev/drv)' },
      { thread: 0, point: 'syscall', subject: 'qemu: close(3)' },
    ],
  });
});

test('isKernelViolation tells a violation from an ordinary error', () => {
  expect(isKernelViolation(new KernelViolation({ kind: 'leak', message: 'm', trace: [] }))).toBe(true);
  expect(isKernelViolation(new Error('leak'))).toBe(false);
});

test('a tracer keeps only its most recent steps', () => {
  const tracer = new Tracer(2);
  for (const subject of ['a', 'b', 'c']) tracer.record({ thread: 1, point: 'lock', subject });
  expect(tracer.steps.map((step) => step.subject)).toEqual(['b', 'c']);
  expect(tracer.tail(1)).toEqual([{ thread: 1, point: 'lock', subject: 'c' }]);
});

test('an export declared but missing from the body is a programming error of the image', () => {
  const kernel = kernelWith([
    { ...testImage('bad'), exports: { bad_fn: { gpl: true } } },
    testImage('ok', { exports: { ok_fn: gpl(() => 0) } }),
  ]);
  expect(() => kernel.insmod('bad')).toThrow('bad_fn');
  expect(kernel.insmod('ok')).toBe(0);
});

test('a live object is not poisoned; it is once kfreed, or once its owner module is freed', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib') ?? null;
  const unowned = new KernelObject('kvm', null);
  const owned = new KernelObject('lib_state', lib);
  expect([unowned.poisoned, owned.poisoned]).toEqual([false, false]);
  kernel.kfree(unowned);
  expect(kernel.deleteModule('lib')).toBe(0);
  expect([unowned.poisoned, owned.poisoned]).toEqual([true, true]);
});
