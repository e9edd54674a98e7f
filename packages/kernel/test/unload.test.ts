import { errno, O_TRUNC, type ModuleState } from '@coupling-lab/kernel';
import { gpl, kernelWith, libImage, loadedNames, summary, testImage, userImage } from './helpers';

test('deleteModule of a name that is not loaded gives -ENOENT', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.deleteModule('lib')).toBe(-errno.ENOENT);
  expect(kernel.deleteModule('nosuch')).toBe(-errno.ENOENT);
});

test('deleteModule of a module that was already unloaded gives -ENOENT', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(kernel.deleteModule('lib')).toBe(-errno.ENOENT);
});

test('deleteModule of a module still UNFORMED (its image being laid out) gives -ENOENT, as find_module skips it', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('early', {
      load: ({ kernel: k }) => {
        nested = k.deleteModule('early');
      },
    }),
  ]);
  expect(kernel.insmod('early')).toBe(0);
  expect(nested).toBe(-errno.ENOENT);
  expect(kernel.findModule('early')?.state).toBe('LIVE');
});

test('a successful unload runs exit while GOING, removes the exports and frees the module', () => {
  let stateDuringExit: ModuleState | undefined;
  let ownerDuringExit: string | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      exports: { mod_fn: gpl(() => 0) },
      init: () => 0,
      exit: ({ module, kernel: k }) => {
        stateDuringExit = module.state;
        ownerDuringExit = k.symbolOwner('mod_fn');
      },
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  const module = kernel.findModule('mod');
  expect(kernel.deleteModule('mod')).toBe(0);
  expect(stateDuringExit).toBe('GOING');
  expect(ownerDuringExit).toBe('mod');
  expect(module?.state).toBe('FREED');
  expect(kernel.findModule('mod')).toBeUndefined();
  expect(kernel.symbolOwner('mod_fn')).toBeUndefined();
  expect(kernel.tainted).toBe(false);
});

test('a module with neither init nor exit can be unloaded', () => {
  const kernel = kernelWith([testImage('bare')]);
  expect(kernel.insmod('bare')).toBe(0);
  expect(kernel.deleteModule('bare')).toBe(0);
  expect(kernel.tainted).toBe(false);
});

test('deleteModule of a module other modules use gives -EWOULDBLOCK and changes nothing', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  expect(kernel.deleteModule('lib')).toBe(-errno.EWOULDBLOCK);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: ['user'] });
  expect(summary(kernel, 'user')).toEqual({ state: 'LIVE', refcount: 0, uses: ['lib'], usedBy: [] });
});

test('unloading the user drops its use edge and reference, after which the used module unloads', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  expect(kernel.deleteModule('user')).toBe(0);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(loadedNames(kernel)).toEqual([]);
});

test('being used by another module is checked before the missing exit: -EWOULDBLOCK, not -EBUSY', () => {
  const kernel = kernelWith(
    [testImage('lib', { exports: { lib_add: gpl(() => 0) }, init: () => 0 }), userImage()],
    {
      forceUnload: true,
    },
  );
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(-errno.EWOULDBLOCK);
  expect(kernel.tainted).toBe(false);
});

test('deleteModule from inside init, while the module is COMING, gives -EBUSY and the load completes', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      init: ({ kernel: k }) => {
        nested = k.deleteModule('mod');
        return 0;
      },
      exit: () => undefined,
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(nested).toBe(-errno.EBUSY);
  expect(summary(kernel, 'mod')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
});

test('the state is checked before the refcount: a COMING module holding a reference gives -EBUSY', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      init: ({ kernel: k, module }) => {
        k.tryModuleGet(module);
        nested = k.deleteModule('mod');
        k.modulePut(module);
        return 0;
      },
      exit: () => undefined,
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(nested).toBe(-errno.EBUSY);
});

test('deleteModule from inside exit, while the module is GOING, gives -EBUSY', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      exit: ({ kernel: k }) => {
        nested = k.deleteModule('mod');
      },
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(kernel.deleteModule('mod')).toBe(0);
  expect(nested).toBe(-errno.EBUSY);
  expect(loadedNames(kernel)).toEqual([]);
});

test('a module with init but no exit cannot be unloaded: -EBUSY, and it stays LIVE', () => {
  const kernel = kernelWith([testImage('sticky', { init: () => 0 })]);
  expect(kernel.insmod('sticky')).toBe(0);
  expect(kernel.deleteModule('sticky')).toBe(-errno.EBUSY);
  expect(kernel.findModule('sticky')?.state).toBe('LIVE');
  expect(kernel.tainted).toBe(false);
});

test('O_TRUNC does not force anything on a kernel built without forceUnload', () => {
  const kernel = kernelWith([testImage('sticky', { init: () => 0 }), libImage()]);
  expect(kernel.insmod('sticky')).toBe(0);
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib');
  expect(kernel.tryModuleGet(lib ?? null)).toBe(true);
  expect(kernel.deleteModule('sticky', O_TRUNC)).toBe(-errno.EBUSY);
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(-errno.EWOULDBLOCK);
  expect(loadedNames(kernel)).toEqual(['lib', 'sticky']);
  expect(kernel.tainted).toBe(false);
});

test('forceUnload without O_TRUNC does not force either', () => {
  const kernel = kernelWith([testImage('sticky', { init: () => 0 })], { forceUnload: true });
  expect(kernel.insmod('sticky')).toBe(0);
  expect(kernel.deleteModule('sticky')).toBe(-errno.EBUSY);
  expect(kernel.tainted).toBe(false);
});

test('forceUnload with O_TRUNC unloads a module with init but no exit and taints the kernel', () => {
  const kernel = kernelWith([testImage('sticky', { init: () => 0 })], { forceUnload: true });
  expect(kernel.insmod('sticky')).toBe(0);
  expect(kernel.deleteModule('sticky', O_TRUNC)).toBe(0);
  expect(kernel.findModule('sticky')).toBeUndefined();
  expect(kernel.tainted).toBe(true);
});

test('the missing exit is checked before the refcount: init without exit and a reference held gives -EBUSY', () => {
  const kernel = kernelWith([testImage('sticky', { init: () => 0 })]);
  expect(kernel.insmod('sticky')).toBe(0);
  expect(kernel.tryModuleGet(kernel.findModule('sticky') ?? null)).toBe(true);
  expect(kernel.deleteModule('sticky')).toBe(-errno.EBUSY);
});

test('deleteModule of a module someone holds a reference on gives -EWOULDBLOCK and changes nothing', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.symbolGet('lib_add')).not.toBeNull();
  expect(kernel.deleteModule('lib')).toBe(-errno.EWOULDBLOCK);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: [] });
  expect(kernel.tainted).toBe(false);
});

test('forceUnload with O_TRUNC unloads a module whose refcount is not zero, runs exit and taints', () => {
  let exited = false;
  const kernel = kernelWith(
    [
      testImage('lib', {
        exports: { lib_add: gpl(() => 0) },
        exit: () => {
          exited = true;
        },
      }),
    ],
    { forceUnload: true },
  );
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib');
  expect(kernel.symbolGet('lib_add')).not.toBeNull();
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(0);
  expect(exited).toBe(true);
  expect(kernel.tainted).toBe(true);
  expect(lib?.state).toBe('FREED');
  expect(lib?.refcount).toBe(1);
  expect(kernel.symbolOwner('lib_add')).toBeUndefined();
});

test('an ordinary unload of a module with refcount zero does not taint a forceUnload kernel even with O_TRUNC', () => {
  const kernel = kernelWith([libImage()], { forceUnload: true });
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(0);
  expect(kernel.tainted).toBe(false);
});
