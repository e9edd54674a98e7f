import {
  isKernelViolation,
  Kernel,
  KernelObject,
  KernelViolation,
  Mutex,
  O_TRUNC,
  Refcount,
  Tracer,
} from '@coupling-lab/kernel';
import { driverImage, kernelWith, libImage } from './helpers';

// The text of each report, as the CLI and the explorer print it (`kind: message`): what a kernel
// engineer reads first, in the words KASAN, kmemleak and lockdep use.

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

function messages(kernel: Kernel): string[] {
  return kernel.violations.map((violation) => violation.message);
}

/** A kernel with lib loaded and then forced out while `held` references were still taken on it. */
function forcedOutLib(): { kernel: Kernel; lib: NonNullable<ReturnType<Kernel['findModule']>> } {
  const kernel = kernelWith([libImage()], { forceUnload: true, onViolation: 'record' });
  expect(kernel.insmod('lib')).toBe(0);
  const lib = kernel.findModule('lib');
  if (lib === undefined) throw new Error('lib not loaded');
  return { kernel, lib };
}

test('use-after-free reports name the call, the access or the refcount operation and the freed module', () => {
  const { kernel, lib } = forcedOutLib();
  const add = kernel.symbolGet<Add>('lib_add');
  const ops = kernel.opsTable(lib, 'lib_ops', { get: () => 1 });
  const object = new KernelObject('lib_state', lib);
  expect(kernel.deleteModule('lib', O_TRUNC)).toBe(0);
  add?.(1, 2);
  ops.get();
  kernel.touch(object);
  expect(kernel.tryModuleGet(lib)).toBe(false);
  kernel.modulePut(lib);
  kernel.symbolPut('lib_add');
  expect(messages(kernel)).toEqual([
    'use-after-free: call to lib_add of freed module lib',
    'use-after-free: call to lib_ops.get of freed module lib',
    'use-after-free: access to freed lib_state',
    'use-after-free: try_module_get on freed module lib',
    'use-after-free: module_put on freed module lib',
    'use-after-free: symbol_put(lib_add): its module is gone',
  ]);
  expect(kernel.violations.map((violation) => violation.module)).toEqual([
    'lib',
    'lib',
    'lib',
    'lib',
    'lib',
    undefined,
  ]);
  // try_module_get took nothing: the freed module's count is as the forced unload left it.
  expect(lib.refcount).toBe(1);
});

test('a file operation of a freed driver is reported with the fops table and the file it was called on', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv', { ioctl: () => 0 })], {
    forceUnload: true,
    onViolation: 'record',
  });
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  expect(kernel.deleteModule('drv', O_TRUNC)).toBe(0);
  p.ioctl(fd, 1);
  expect(kernel.violations.map((violation) => [violation.message, violation.object])).toEqual([
    ['use-after-free: drv_fops operation of freed module drv called', 'file /dev/drv'],
  ]);
});

test('underflow reports name the module or the counted object that went below zero (the file one: file-references.test.ts)', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')], { onViolation: 'record' });
  expect(kernel.insmod('drv')).toBe(0);
  kernel.modulePut(kernel.findModule('drv') ?? null);
  const users = new Refcount(kernel, 'vfio_group 26', 'vfio');
  expect(users.put()).toBe(false);
  expect(messages(kernel)).toEqual([
    'refcount-underflow: module drv: module_put with no reference held',
    'refcount-underflow: vfio_group 26: put with no reference held',
  ]);
});

test('kmemleak reports say what is still referenced at shutdown and how many references are left', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv'), libImage()], { onViolation: 'record' });
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.insmod('lib')).toBe(0);
  const p = kernel.spawn('proc');
  expect(p.open('/dev/drv')).toBe(3);
  const file = kernel.openFiles()[0];
  if (file === undefined) throw new Error('no open file');
  kernel.fget(file);
  const ref = new Refcount(kernel, 'kvm 1', 'kvm');
  ref.get();
  ref.get();
  kernel.checkLeaks();
  expect(messages(kernel)).toEqual([
    'leak: module drv still has 1 reference(s) at shutdown',
    'leak: file /dev/drv still has 2 reference(s) at shutdown',
    'leak: kvm 1 still has 2 reference(s) at shutdown',
  ]);
});

test('kmemleak does not report a module still loaded with no reference, nor a tracked Refcount at zero', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const ref = new Refcount(kernel, 'kvm 1', 'kvm');
  ref.get();
  expect(ref.put()).toBe(true);
  kernel.checkLeaks();
  expect(kernel.violations).toEqual([]);
});

test('lockdep reports name the task, the two locks and the whole chain, as lockdep prints them', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const kvm = new Mutex(kernel, 'kvm->lock', 'kvm');
  const group = new Mutex(kernel, 'group->lock', 'vfio');
  kvm.with(() => group.with(() => undefined));
  group.with(() => kvm.with(() => undefined));
  expect(messages(kernel)).toEqual([
    'lock-order: possible circular locking dependency detected: kernel context of thread 0 takes kvm->lock ' +
      'while holding group->lock, and kvm->lock already depends on it: group->lock -> kvm->lock -> group->lock',
  ]);
  const recursive = caught(() => kvm.with(() => kvm.lock()));
  expect(recursive.message).toBe(
    'recursive-lock: possible recursive locking detected: kernel context of thread 0 takes kvm->lock, which it already holds',
  );
});

test('a wait that could never end names the waiting task, the lock and its holder', () => {
  const kernel = new Kernel();
  const lock = new Mutex(kernel, 'A', 'm');
  kernel.currentThread = 1;
  lock.lock();
  kernel.currentThread = 2;
  const deadlock = caught(() => lock.lock());
  expect(deadlock.message).toBe(
    'deadlock: kernel context of thread 2 would wait forever for A, held by kernel context of thread 1',
  );
  expect(deadlock.trace).toEqual([]);
});

test('every report carries the tail of the trace when a tracer is attached, and an empty trace when none is', () => {
  const kernel = kernelWith([libImage()], { onViolation: 'record' });
  const lock = new Mutex(kernel, 'A', 'm');
  kernel.violation('leak', 'without a tracer');
  lock.lock();
  caught(() => lock.lock());
  kernel.tracer = new Tracer();
  expect(kernel.insmod('lib')).toBe(0);
  kernel.violation('leak', 'with a tracer');
  caught(() => lock.lock());
  kernel.currentThread = 1;
  caught(() => lock.lock());
  const insmod = { thread: 0, point: 'syscall', subject: 'init_module(lib)' };
  expect(kernel.violations.map((violation) => [violation.kind, violation.trace])).toEqual([
    ['leak', []],
    ['recursive-lock', []],
    ['leak', [insmod]],
    ['recursive-lock', [insmod]],
    ['deadlock', [insmod]],
  ]);
});

test('a violation is an Error named KernelViolation whose optional fields are absent, not undefined, when unknown', () => {
  const kernel = kernelWith([], { onViolation: 'record' });
  kernel.violation('stale-association', 'group 26 still points at VM 1');
  const [violation] = kernel.violations;
  if (violation === undefined) throw new Error('not recorded');
  expect(violation).toBeInstanceOf(Error);
  expect(violation.name).toBe('KernelViolation');
  expect(String(violation)).toBe('KernelViolation: stale-association: group 26 still points at VM 1');
  expect(['module', 'object', 'chain'].filter((field) => field in violation)).toEqual([]);
  expect(violation.toJSON()).toStrictEqual({
    kind: 'stale-association',
    message: 'stale-association: group 26 still points at VM 1',
    trace: [],
  });
});

test("a lock-order violation's JSON carries lockdep's chain, new dependency first", () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const a = new Mutex(kernel, 'A', 'm');
  const b = new Mutex(kernel, 'B', 'm');
  a.with(() => b.with(() => undefined));
  b.with(() => a.with(() => undefined));
  const [violation] = kernel.violations;
  expect(violation?.toJSON()).toStrictEqual({
    kind: 'lock-order',
    module: 'm',
    object: 'B -> A -> B',
    message: violation?.message,
    chain: [
      { held: 'B', taken: 'A' },
      { held: 'A', taken: 'B' },
    ],
    trace: [],
  });
});

test("a process's syscalls are traced with the process's name, the fd and the ioctl request in hex", () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv', { ioctl: () => 0 })]);
  expect(kernel.insmod('drv')).toBe(0);
  kernel.tracer = new Tracer();
  const p = kernel.spawn('qemu');
  const fd = p.open('/dev/drv');
  expect(p.ioctl(fd, 0x3b71)).toBe(0);
  expect(p.exit()).toBe(0);
  expect(kernel.tracer.steps).toEqual([
    { thread: 0, point: 'syscall', subject: 'qemu: open(/dev/drv)' },
    { thread: 0, point: 'syscall', subject: 'qemu: ioctl(3, 0x3b71)' },
    { thread: 0, point: 'syscall', subject: 'qemu: exit()' },
  ]);
});

test("a violation raised inside a process's open comes out of open, and no task stays current", () => {
  const kernel = kernelWith([
    driverImage('drv', '/dev/drv', {
      open: () => {
        kernel.violation('stale-association', 'group 26 still points at VM 1');
        return 0;
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('qemu');
  expect(() => p.open('/dev/drv')).toThrow('stale-association: group 26 still points at VM 1');
  expect(kernel.current).toBeNull();
});
