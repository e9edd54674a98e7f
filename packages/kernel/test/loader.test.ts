import { errno, type Module, type ModuleState } from '@coupling-lab/kernel';
import { gpl, kernelWith, plain, libImage, loadedNames, summary, testImage, userImage } from './helpers';

test('insmod of an image that was never registered fails with -ENOENT and loads nothing', () => {
  const kernel = kernelWith([]);
  expect(kernel.insmod('nosuch')).toBe(-errno.ENOENT);
  expect(loadedNames(kernel)).toEqual([]);
});

test('insmod runs init while COMING, then the module is LIVE with its exports visible', () => {
  let stateDuringInit: ModuleState | undefined;
  let ownerDuringInit: string | undefined;
  const kernel = kernelWith([
    testImage('mod', {
      exports: { mod_fn: gpl(() => 1) },
      init: ({ module, kernel: k }) => {
        stateDuringInit = module.state;
        ownerDuringInit = k.symbolOwner('mod_fn');
        return 0;
      },
    }),
  ]);
  expect(kernel.insmod('mod')).toBe(0);
  expect(stateDuringInit).toBe('COMING');
  expect(ownerDuringInit).toBe('mod');
  expect(summary(kernel, 'mod')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
  expect(kernel.symbolOwner('mod_fn')).toBe('mod');
});

test('a module without init loads and is LIVE', () => {
  const kernel = kernelWith([testImage('bare')]);
  expect(kernel.insmod('bare')).toBe(0);
  expect(kernel.findModule('bare')?.state).toBe('LIVE');
});

test('insmod with an import nobody exports fails with -ENOENT and leaves nothing behind', () => {
  const kernel = kernelWith([
    testImage('orphan', { imports: ['missing_fn'], exports: { orphan_fn: gpl(() => 0) } }),
  ]);
  expect(kernel.insmod('orphan')).toBe(-errno.ENOENT);
  expect(kernel.findModule('orphan')).toBeUndefined();
  expect(kernel.symbolOwner('orphan_fn')).toBeUndefined();
});

test('an unresolved import after a resolved one drops the use edge and the reference the first one took', () => {
  const kernel = kernelWith([
    libImage(),
    testImage('half', { imports: ['lib_add', 'missing_fn'], exports: { half_fn: gpl(() => 0) } }),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  const before = kernel.counters.snapshot();
  expect(kernel.insmod('half')).toBe(-errno.ENOENT);
  expect(loadedNames(kernel)).toEqual(['lib']);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
  expect(kernel.symbolOwner('half_fn')).toBeUndefined();
  expect(kernel.counters.moduleGets - before.moduleGets).toBe(kernel.counters.modulePuts - before.modulePuts);
  expect(kernel.deleteModule('lib')).toBe(0);
});

test('an import resolves only against a LIVE module: an export of a COMING module gives -ENOENT', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('lib', {
      exports: { lib_add: gpl(() => 0) },
      init: ({ kernel: k }) => {
        nested = k.insmod('user');
        return 0;
      },
      exit: () => undefined,
    }),
    userImage(),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(nested).toBe(-errno.ENOENT);
  expect(kernel.findModule('user')).toBeUndefined();
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
});

test('an import does not resolve against a GOING module: insmod from inside its exit gives -ENOENT', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('lib', {
      exports: { lib_add: gpl(() => 0) },
      exit: ({ kernel: k }) => {
        nested = k.insmod('user');
      },
    }),
    userImage(),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(nested).toBe(-errno.ENOENT);
  expect(loadedNames(kernel)).toEqual([]);
});

test('a resolved import adds a use edge and holds one reference on the module that exports it', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: ['user'] });
  expect(summary(kernel, 'user')).toEqual({ state: 'LIVE', refcount: 0, uses: ['lib'], usedBy: [] });
});

test('two imports from the same module make one use edge and take exactly one reference', () => {
  const kernel = kernelWith([
    testImage('lib', { exports: { lib_a: gpl(() => 'a'), lib_b: plain(() => 'b') } }),
    testImage('user', { imports: ['lib_a', 'lib_b'] }),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  const before = kernel.counters.snapshot();
  expect(kernel.insmod('user')).toBe(0);
  expect(kernel.counters.moduleGets - before.moduleGets).toBe(1);
  expect(kernel.counters.modulePuts - before.modulePuts).toBe(0);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: ['user'] });
});

test('the module reads its imports through its load context, and only those', () => {
  let sum: number | undefined;
  let stray: unknown;
  const kernel = kernelWith([
    libImage(),
    testImage('user', {
      imports: ['lib_add'],
      init: (context) => {
        sum = context.import<(a: number, b: number) => number>('lib_add')(2, 3);
        try {
          context.import('lib_plain');
        } catch (error) {
          stray = error;
        }
        return 0;
      },
    }),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  expect(sum).toBe(5);
  expect(stray).toBeInstanceOf(Error);
});

test('insmod of a name already loaded gives -EEXIST and leaves the loaded module as it was', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  expect(kernel.insmod('lib')).toBe(-errno.EEXIST);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: ['user'] });
});

test('insmod of a module that is still COMING gives -EEXIST', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('self', {
      init: ({ kernel: k }) => {
        nested = k.insmod('self');
        return 0;
      },
    }),
  ]);
  expect(kernel.insmod('self')).toBe(0);
  expect(nested).toBe(-errno.EEXIST);
  expect(kernel.findModule('self')?.state).toBe('LIVE');
});

test('a second insmod of the same name while the first is still resolving symbols gives -EEXIST', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  let nested: number | undefined;
  kernel.hook = (point) => {
    if (point === 'module-get' && nested === undefined) {
      nested = -1;
      nested = kernel.insmod('user');
    }
  };
  expect(kernel.insmod('user')).toBe(0);
  kernel.hook = undefined;
  expect(nested).toBe(-errno.EEXIST);
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: ['user'] });
  expect(summary(kernel, 'user')).toEqual({ state: 'LIVE', refcount: 0, uses: ['lib'], usedBy: [] });
});

test('a failing init returns its error and leaves nothing behind: no module, no export, no use edge, no reference', () => {
  const kernel = kernelWith([
    libImage(),
    testImage('broken', {
      imports: ['lib_add'],
      exports: { broken_fn: gpl(() => 0) },
      init: () => -errno.ENODEV,
    }),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('broken')).toBe(-errno.ENODEV);
  expect(kernel.findModule('broken')).toBeUndefined();
  expect(kernel.symbolOwner('broken_fn')).toBeUndefined();
  expect(summary(kernel, 'lib')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
  expect(kernel.deleteModule('lib')).toBe(0);
});

test('a module whose init failed is freed, and the name can be loaded again', () => {
  const instances: Module[] = [];
  const kernel = kernelWith([
    testImage('flaky', {
      init: ({ module }) => {
        instances.push(module);
        return instances.length === 1 ? -errno.EBUSY : 0;
      },
    }),
  ]);
  expect(kernel.insmod('flaky')).toBe(-errno.EBUSY);
  expect(kernel.insmod('flaky')).toBe(0);
  expect(instances.map((module) => module.state)).toEqual(['FREED', 'LIVE']);
  expect(kernel.findModule('flaky')).toBe(instances[1]);
});

test('modprobe loads the modules a module imports from first, depth first', () => {
  const order: string[] = [];
  const record = (name: string) => () => {
    order.push(name);
    return 0;
  };
  const kernel = kernelWith([
    testImage('top', { imports: ['mid_fn'], init: record('top') }),
    testImage('mid', { imports: ['base_fn'], exports: { mid_fn: gpl(() => 0) }, init: record('mid') }),
    testImage('base', { exports: { base_fn: gpl(() => 0) }, init: record('base') }),
  ]);
  expect(kernel.modprobe('top')).toBe(0);
  expect(order).toEqual(['base', 'mid', 'top']);
  expect(summary(kernel, 'mid')).toEqual({ state: 'LIVE', refcount: 1, uses: ['base'], usedBy: ['top'] });
});

test('modprobe of a module already LIVE succeeds without loading anything', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.modprobe('lib')).toBe(0);
  const before = kernel.counters.snapshot();
  expect(kernel.modprobe('lib')).toBe(0);
  expect(kernel.counters.snapshot()).toEqual(before);
});

test('modprobe of an unknown module gives -ENOENT', () => {
  const kernel = kernelWith([]);
  expect(kernel.modprobe('nosuch')).toBe(-errno.ENOENT);
});

test('modprobe stops at a dependency whose init fails and returns that error', () => {
  const kernel = kernelWith([
    testImage('base', { exports: { base_fn: gpl(() => 0) }, init: () => -errno.ENOMEM }),
    testImage('top', { imports: ['base_fn'] }),
  ]);
  expect(kernel.modprobe('top')).toBe(-errno.ENOMEM);
  expect(loadedNames(kernel)).toEqual([]);
});

test('modprobe of a module whose import no image provides fails with -ENOENT', () => {
  const kernel = kernelWith([testImage('orphan', { imports: ['missing_fn'] })]);
  expect(kernel.dependenciesOf(testImage('orphan', { imports: ['missing_fn'] }))).toEqual([]);
  expect(kernel.modprobe('orphan')).toBe(-errno.ENOENT);
  expect(loadedNames(kernel)).toEqual([]);
});
