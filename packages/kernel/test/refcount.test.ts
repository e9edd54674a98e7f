import { isKernelViolation, Refcount } from '@coupling-lab/kernel';
import { kernelWith, libImage, summary, testImage } from './helpers';

test('tryModuleGet on a LIVE module succeeds and adds one reference; modulePut drops it', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib') ?? null;
  expect(kernel.tryModuleGet(lib)).toBe(true);
  expect(kernel.tryModuleGet(lib)).toBe(true);
  expect(lib?.refcount).toBe(2);
  kernel.modulePut(lib);
  expect(lib?.refcount).toBe(1);
  kernel.modulePut(lib);
  expect(kernel.deleteModule('lib')).toBe(0);
});

test('tryModuleGet of a built-in (null owner) always succeeds and counts nothing', () => {
  const kernel = kernelWith([]);
  expect(kernel.tryModuleGet(null)).toBe(true);
  kernel.modulePut(null);
  expect(kernel.counters.moduleGets).toBe(0);
  expect(kernel.counters.modulePuts).toBe(0);
});

test('tryModuleGet succeeds on a COMING module (called from inside its init)', () => {
  let got: boolean | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      init: ({ kernel: k, module }) => {
        got = k.tryModuleGet(module);
        return 0;
      },
      exit: () => undefined,
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(got).toBe(true);
  expect(summary(kernel, 'mod')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: [] });
});

test('tryModuleGet fails on a GOING module (called from inside its exit) and takes nothing', () => {
  let got: boolean | undefined;
  let refcountInExit: number | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      exit: ({ kernel: k, module }) => {
        got = k.tryModuleGet(module);
        refcountInExit = module.refcount;
      },
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(kernel.deleteModule('mod')).toBe(0);
  expect(got).toBe(false);
  expect(refcountInExit).toBe(0);
});

test('modulePut with no reference held is a refcount underflow naming the module, and the count stays at zero', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib') ?? null;
  let caught: unknown;
  try {
    kernel.modulePut(lib);
  } catch (error) {
    caught = error;
  }
  expect(isKernelViolation(caught) && caught.kind).toBe('refcount-underflow');
  expect(isKernelViolation(caught) && caught.module).toBe('lib');
  expect(lib?.refcount).toBe(0);
  expect(kernel.deleteModule('lib')).toBe(0);
});

test('a Refcount counts gets and puts and says when it reached zero', () => {
  const kernel = kernelWith([]);
  const ref = new Refcount(kernel, 'group 26', 'vfio');
  ref.get();
  ref.get();
  expect(ref.put()).toBe(false);
  expect(ref.put()).toBe(true);
  expect(ref.count).toBe(0);
});

test('a Refcount put below zero is a refcount underflow naming its module and object', () => {
  const kernel = kernelWith([], { onViolation: 'record' });
  const ref = new Refcount(kernel, 'group 26', 'vfio');
  expect(ref.put()).toBe(false);
  expect(ref.count).toBe(0);
  expect(kernel.violations.map((violation) => [violation.kind, violation.module, violation.object])).toEqual([
    ['refcount-underflow', 'vfio', 'group 26'],
  ]);
});
