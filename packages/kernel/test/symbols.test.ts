import { errno } from '@coupling-lab/kernel';
import { gpl, kernelWith, libImage, loadedNames, plain, summary, testImage } from './helpers';

type Add = (a: number, b: number) => number;

test('symbolGet of a GPL-only export returns its function and holds a reference on the owner', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const add = kernel.symbolGet<Add>('lib_add');
  expect(add?.(2, 3)).toBe(5);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: [] });
});

test('symbolGet adds no use edge: the holder is not a module dependency', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolGet('lib_add')).not.toBeNull();
  expect(kernel.findModule('lib')?.usedBy.size).toBe(0);
});

test('symbolPut drops the reference, after which the owner can be unloaded', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolGet('lib_add')).not.toBeNull();
  expect(kernel.deleteModule('lib')).toBe(-errno.EWOULDBLOCK);
  kernel.symbolPut('lib_add');
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
  expect(kernel.deleteModule('lib')).toBe(0);
});

test('symbolGet of a plain EXPORT_SYMBOL gives null and takes no reference (Linux 6.6)', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolGet('lib_plain')).toBeNull();
  expect(kernel.findModule('lib')?.refcount).toBe(0);
});

test('symbolGet of a symbol nobody exports gives null', () => {
  const kernel = kernelWith([]);
  expect(kernel.symbolGet('missing_fn')).toBeNull();
});

test('symbolGet never loads a module, even when a registered image exports the symbol', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.symbolGet('lib_add')).toBeNull();
  expect(loadedNames(kernel)).toEqual([]);
});

test('symbolGet of an export whose owner is COMING gives null and takes no reference', () => {
  let during: unknown = 'not called';
  let refcountDuringInit: number | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      exports: { mod_fn: gpl(() => 0) },
      init: ({ kernel: k, module }) => {
        during = k.symbolGet('mod_fn');
        refcountDuringInit = module.refcount;
        return 0;
      },
      exit: () => undefined,
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(during).toBeNull();
  expect(refcountDuringInit).toBe(0);
  expect(kernel.symbolGet('mod_fn')).not.toBeNull();
});

test('symbolGet of an export whose owner is GOING gives null and takes no reference', () => {
  let during: unknown = 'not called';
  let refcountDuringExit: number | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      exports: { mod_fn: gpl(() => 0) },
      exit: ({ kernel: k, module }) => {
        during = k.symbolGet('mod_fn');
        refcountDuringExit = module.refcount;
      },
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(kernel.deleteModule('mod')).toBe(0);
  expect(during).toBeNull();
  expect(refcountDuringExit).toBe(0);
});

test('an export vanishes when its module is unloaded, so a later symbolGet gives null', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolOwner('lib_add')).toBe('lib');
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(kernel.symbolOwner('lib_add')).toBeUndefined();
  expect(kernel.symbolGet('lib_add')).toBeNull();
});

test('non-function exports are handed out as they are', () => {
  const table = { version: 3 };
  const kernel = kernelWith([
    testImage('data', { exports: { data_table: gpl(table), data_plain: plain(7) } }),
  ]);
  expect(kernel.insmod('data')).toBe(0);
  expect(kernel.symbolGet('data_table')).toBe(table);
});
