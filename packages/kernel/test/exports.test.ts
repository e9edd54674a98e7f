import { errno, Module, type ModuleState, Tracer } from '@coupling-lab/kernel';
import { gpl, kernelWith, libImage, loadedNames, summary, testImage, userImage } from './helpers';

test('insmod of a module exporting a symbol another module already exports is -ENOEXEC and leaves nothing behind', () => {
  // kernel/module/main.c verify_exported_symbols, from complete_formation: "exports duplicate
  // symbol lib_add (owned by lib)", -ENOEXEC; the load is undone, use edges and references too.
  const kernel = kernelWith([
    libImage(),
    testImage('helper', { exports: { helper_fn: gpl(() => 1) }, init: () => 0, exit: () => undefined }),
    testImage('clash', {
      imports: ['helper_fn'],
      exports: { clash_fn: gpl(() => 2), lib_add: gpl(() => 3) },
      init: () => 0,
    }),
  ]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('helper')).toBe(0);
  expect(kernel.insmod('clash')).toBe(-errno.ENOEXEC);
  expect(loadedNames(kernel)).toEqual(['helper', 'lib']);
  expect(kernel.symbolOwner('lib_add')).toBe('lib');
  expect(kernel.symbolOwner('clash_fn')).toBeUndefined();
  expect(summary(kernel, 'helper')).toEqual({ state: 'LIVE', refcount: 0, uses: [], usedBy: [] });
  // Once lib is gone the name is free and the same image loads.
  expect(kernel.deleteModule('lib')).toBe(0);
  expect(kernel.insmod('clash')).toBe(0);
  expect(kernel.symbolOwner('lib_add')).toBe('clash');
});

test('an export of a module that is still GOING counts as taken: -ENOEXEC until it is freed', () => {
  let nested: number | undefined;
  const kernel = kernelWith([
    testImage('old', {
      exports: { shared_fn: gpl(() => 1) },
      init: () => 0,
      exit: ({ kernel: k }) => {
        nested = k.insmod('new');
      },
    }),
    testImage('new', { exports: { shared_fn: gpl(() => 2) }, init: () => 0 }),
  ]);
  expect(kernel.insmod('old')).toBe(0);
  expect(kernel.deleteModule('old')).toBe(0);
  expect(nested).toBe(-errno.ENOEXEC);
  expect(kernel.insmod('new')).toBe(0);
});

test("unloading a module withdraws its own exports only, not another module's", () => {
  const kernel = kernelWith([libImage(), testImage('other', { exports: { other_fn: gpl(() => 0) } })]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('other')).toBe(0);
  expect(kernel.deleteModule('other')).toBe(0);
  expect(kernel.symbolOwner('other_fn')).toBeUndefined();
  expect([kernel.symbolOwner('lib_add'), kernel.symbolOwner('lib_plain')]).toEqual(['lib', 'lib']);
});

test('a module whose init fails goes COMING, then GOING before it is freed (do_init_module failure path)', () => {
  let module: Module | undefined;
  const states: ModuleState[] = [];
  const kernel = kernelWith([
    testImage('broken', {
      init: (context) => {
        module = context.module;
        return -errno.ENOMEM;
      },
    }),
  ]);
  kernel.hook = (point) => {
    if (point === 'module-state' && module !== undefined) states.push(module.state);
  };
  expect(kernel.insmod('broken')).toBe(-errno.ENOMEM);
  // Each state change is a preemption point just before it: what another thread sees there.
  expect(states).toEqual(['COMING', 'GOING']);
  expect(module?.state).toBe('FREED');
});

test('reading a symbol that is not among the imports is a programming error naming the module and the symbol', () => {
  let stray: unknown;
  const kernel = kernelWith([
    libImage(),
    testImage('user', {
      imports: ['lib_add'],
      init: (context) => {
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
  expect(stray).toEqual(new Error("user: lib_plain is not among the module's imports"));
});

test('the registered images are found by name, and nothing else is', () => {
  const lib = libImage();
  const kernel = kernelWith([lib]);
  expect(kernel.image('lib')).toBe(lib);
  expect(kernel.image('user')).toBeUndefined();
});

test('modprobe is traced as one syscall named after the module asked for, whatever it loads first', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  kernel.tracer = new Tracer();
  expect(kernel.modprobe('user')).toBe(0);
  expect(loadedNames(kernel)).toEqual(['lib', 'user']);
  expect(kernel.tracer.steps.map((step) => step.subject)).toEqual(['modprobe(user)']);
});

test('a module that is not formed yet has no body, so it has no init without exit', () => {
  const module = new Module(testImage('raw', { init: () => 0 }));
  expect([module.state, module.hasInitWithoutExit]).toEqual(['UNFORMED', false]);
});

test('symbolPut counts one symbol put (the find_symbol __symbol_put runs again) and one module put', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  kernel.symbolGet('lib_add');
  kernel.symbolPut('lib_add');
  kernel.symbolGet('lib_add');
  kernel.symbolPut('lib_add');
  expect([kernel.counters.symbolPuts, kernel.counters.modulePuts]).toEqual([2, 2]);
});
