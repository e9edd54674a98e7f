import { Mutex, type File } from '@coupling-lab/kernel';
import { driverImage, kernelWith, libImage, recordPoints, userImage } from './helpers';

type Add = (a: number, b: number) => number;

test('insmod passes a preemption point at each state change and at the module get of each use edge', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const points = recordPoints(kernel);
  expect(kernel.insmod('user')).toBe(0);
  expect(points).toEqual(['module-get lib', 'module-state user', 'module-state user']);
});

test('deleteModule passes the GOING and FREED state changes and the put of each use edge', () => {
  const kernel = kernelWith([libImage(), userImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  expect(kernel.insmod('user')).toBe(0);
  const points = recordPoints(kernel);
  expect(kernel.deleteModule('user')).toBe(0);
  expect(points).toEqual(['module-state user', 'module-put lib', 'module-state user']);
});

test('symbolGet is one preemption point, lookup and pin together as under RCU in __symbol_get; symbolPut the module put', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const points = recordPoints(kernel);
  kernel.symbolGet('lib_add');
  kernel.symbolPut('lib_add');
  expect(points).toEqual(['symbol-lookup lib_add', 'module-put lib']);
});

test('a cross-module call passes a call point before the callee runs', () => {
  const kernel = kernelWith([libImage()]);
  expect(kernel.insmod('lib')).toBe(0);
  const add = kernel.symbolGet<Add>('lib_add');
  const lib = kernel.findModule('lib');
  if (lib === undefined) throw new Error('lib not loaded');
  const ops = kernel.opsTable(lib, 'lib_ops', { run: () => 0 });
  const points = recordPoints(kernel);
  add?.(1, 2);
  ops.run();
  expect(points).toEqual(['call lib_add', 'call lib_ops.run']);
});

test('open pins the owner with the node lookup (cdev_lock); ioctl and close pass file get and file put, and the deferred release its task-work point before the module put', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv', { ioctl: () => 0 })]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const points = recordPoints(kernel);
  const fd = p.open('/dev/drv');
  p.ioctl(fd, 1);
  p.close(fd);
  expect(points).toEqual([
    'file-get /dev/drv',
    'file-put /dev/drv',
    'file-put /dev/drv',
    'task-work /dev/drv',
    'module-put drv',
  ]);
});

test('taking a mutex passes a lock point and releasing it an unlock point, named by its lock class', () => {
  const kernel = kernelWith([]);
  const lock = new Mutex(kernel, 'kvm->lock', 'kvm');
  const points = recordPoints(kernel);
  lock.with(() => undefined);
  expect(points).toEqual(['lock kvm->lock', 'unlock kvm->lock']);
});

test('a hook can run another thread at a preemption point, and the kernel sees its effects', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  const file = p.fds.get(fd) as File;
  let raced = false;
  kernel.hook = (point) => {
    if (point === 'file-put' && !raced) {
      raced = true;
      kernel.hook = undefined;
      kernel.fget(file);
    }
  };
  p.close(fd);
  expect(file.count).toBe(1);
  expect(file.freed).toBe(false);
  expect(kernel.findModule('drv')?.refcount).toBe(1);
});

test('with the hook detached no point is reported', () => {
  const kernel = kernelWith([libImage()]);
  const points = recordPoints(kernel);
  kernel.hook = undefined;
  expect(kernel.insmod('lib')).toBe(0);
  kernel.symbolGet('lib_add');
  expect(points).toEqual([]);
});
