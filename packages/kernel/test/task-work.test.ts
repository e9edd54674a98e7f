import { errno, type File, isKernelViolation, type Kernel, Mutex } from '@coupling-lab/kernel';
import { kernelWith, testImage } from './helpers';

const HOLD = 1;
const DROP = 2;
const DROP_SYNC = 3;

/**
 * A driver with two nodes: /dev/held, whose release takes the driver's mutex, and /dev/ctl,
 * whose ioctls make the driver keep a reference on a /dev/held file (HOLD fd) and drop it again
 * under that same mutex (DROP with fput, DROP_SYNC with __fput_sync).
 */
function lockingDriver(log: string[]): { image: ReturnType<typeof testImage>; kept: () => File | undefined } {
  let kept: File | undefined;
  const image = testImage('drv', {
    init: ({ kernel, module }) => {
      const lock = new Mutex(kernel, 'drv->lock', 'drv');
      kernel.registerChrdev('/dev/held', {
        name: 'held_fops',
        owner: module,
        release: () => {
          lock.with(() => log.push('release under drv->lock'));
        },
      });
      kernel.registerChrdev('/dev/ctl', {
        name: 'ctl_fops',
        owner: module,
        ioctl: (_file, request, arg, current) => {
          if (request === HOLD) {
            kept = current.fdget(typeof arg === 'number' ? arg : -1);
            return kept === undefined ? -errno.EBADF : 0;
          }
          const file = kept;
          if (file === undefined) return -errno.EINVAL;
          kept = undefined;
          lock.with(() => {
            if (request === DROP) kernel.fput(file);
            else kernel.fputSync(file);
            log.push('dropped the last reference');
          });
          log.push('ioctl returns');
          return 0;
        },
      });
      return 0;
    },
    exit: ({ kernel }) => {
      kernel.unregisterChrdev('/dev/held');
      kernel.unregisterChrdev('/dev/ctl');
    },
  });
  return { image, kept: () => kept };
}

function setUp(log: string[]): { kernel: Kernel; ctl: number; run: (request: number) => number } {
  const { image } = lockingDriver(log);
  const kernel = kernelWith([image], { onViolation: 'record' });
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const ctl = p.open('/dev/ctl');
  const held = p.open('/dev/held');
  expect(p.ioctl(ctl, HOLD, held)).toBe(0);
  expect(p.close(held)).toBe(0);
  return { kernel, ctl, run: (request) => p.ioctl(ctl, request) };
}

test('the last fput under a lock is released as task work once the syscall returns, outside the lock (fs/file_table.c fput)', () => {
  const log: string[] = [];
  const { kernel, run } = setUp(log);
  expect(run(DROP)).toBe(0);
  expect(log).toEqual(['dropped the last reference', 'ioctl returns', 'release under drv->lock']);
  expect(kernel.violations).toEqual([]);
  expect(kernel.findModule('drv')?.refcount).toBe(1);
});

test('released inline instead (__fput_sync), the same drop takes drv->lock recursively: the order deferral avoids', () => {
  const log: string[] = [];
  const { kernel, run } = setUp(log);
  let error: unknown;
  try {
    run(DROP_SYNC);
  } catch (caught) {
    error = caught;
  }
  expect(isKernelViolation(error) && [error.kind, error.object]).toEqual(['recursive-lock', 'drv->lock']);
  expect(log).toEqual([]);
  expect(kernel.current).toBeNull();
});

test('exit closes every fd lowest first, then exit_task_work releases them newest first', () => {
  const released: string[] = [];
  const kernel = kernelWith([
    testImage('drv', {
      init: ({ kernel: k, module }) => {
        for (const name of ['a', 'b', 'c']) {
          k.registerChrdev(`/dev/${name}`, {
            name: `${name}_fops`,
            owner: module,
            flush: () => released.push(`flush ${name}`),
            release: () => released.push(`release ${name}`),
          });
        }
        return 0;
      },
      exit: ({ kernel: k }) => ['a', 'b', 'c'].forEach((name) => k.unregisterChrdev(`/dev/${name}`)),
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  for (const name of ['a', 'b', 'c']) p.open(`/dev/${name}`);
  expect(p.exit()).toBe(0);
  expect(released).toEqual(['flush a', 'flush b', 'flush c', 'release c', 'release b', 'release a']);
  expect(kernel.findModule('drv')?.refcount).toBe(0);
});

test('a release queued while task work runs is run in the same return to user mode', () => {
  const released: string[] = [];
  const kernel = kernelWith([]);
  kernel.registerChrdev('/dev/inner', { name: 'inner', owner: null, release: () => released.push('inner') });
  const p = kernel.spawn('proc');
  const innerFd = p.open('/dev/inner');
  const inner = p.fdget(innerFd);
  p.close(innerFd);
  kernel.registerChrdev('/dev/outer', {
    name: 'outer',
    owner: null,
    release: () => {
      released.push('outer');
      if (inner !== undefined) kernel.fput(inner);
    },
  });
  expect(released).toEqual([]);
  p.close(p.open('/dev/outer'));
  expect(released).toEqual(['outer', 'inner']);
});

test('an fput outside any syscall (no current task) releases at once', () => {
  const released: string[] = [];
  const kernel = kernelWith([]);
  const file = kernel.anonFile('x', { name: 'x', owner: null, release: () => released.push('x') }, undefined);
  if (file === undefined) throw new Error('no file');
  expect(kernel.current).toBeNull();
  kernel.fput(file);
  expect(released).toEqual(['x']);
});
