import {
  errno,
  forEachMaySleep,
  type Kernel,
  type Scheduler,
  waitEvent,
  WaitQueue,
} from '@coupling-lab/kernel';
import { kernelWith, testImage } from './helpers';

const RELEASE = 1;
const POKE = 2;

/**
 * `sleeper` is a module whose exit waits on a wait queue until `released` (a driver unbinding a
 * device still in use); `waker` owns /dev/waker, whose RELEASE ioctl sets it and wakes the queue
 * and whose POKE ioctl wakes the queue without setting it (a spurious wake-up).
 */
function sleeperAndWaker(log: string[]): Kernel {
  const shared: { wq?: WaitQueue; released: boolean } = { released: false };
  const kernel = kernelWith([
    testImage('sleeper', {
      init: ({ kernel: k }) => {
        shared.wq = new WaitQueue(k, 'sleeper_q');
        return 0;
      },
      exit: () => {
        log.push('exit starts');
        const wq = shared.wq as WaitQueue;
        return waitEvent(
          wq,
          () => shared.released,
          () => {
            log.push('exit finishes');
          },
        );
      },
    }),
    testImage('waker', {
      init: ({ kernel: k, module }) => {
        k.registerChrdev('/dev/waker', {
          name: 'waker_fops',
          owner: module,
          ioctl: (_file, request) => {
            if (request === RELEASE) shared.released = true;
            shared.wq?.wakeUp();
            log.push(request === RELEASE ? 'released' : 'poked');
            return 0;
          },
        });
        return 0;
      },
      exit: ({ kernel: k }) => k.unregisterChrdev('/dev/waker'),
    }),
  ]);
  expect(kernel.insmod('sleeper')).toBe(0);
  expect(kernel.insmod('waker')).toBe(0);
  return kernel;
}

test('a delete_module whose exit sleeps leaves the module GOING with its waiter and returns -EINPROGRESS', () => {
  const log: string[] = [];
  const kernel = sleeperAndWaker(log);
  expect(kernel.deleteModule('sleeper')).toBe(-errno.EINPROGRESS);
  expect(kernel.findModule('sleeper')?.state).toBe('GOING');
  expect(
    kernel.sleepingTasks().map((sleeping) => [sleeping.syscall, sleeping.sleep.wq.name, sleeping.woken]),
  ).toEqual([['delete_module(sleeper)', 'sleeper_q', false]]);
  expect(kernel.deleteModule('sleeper')).toBe(-errno.EBUSY);
  expect(log).toEqual(['exit starts']);
});

test('the syscall that wakes it runs the sleeper on its way back to user mode, and the unload completes', () => {
  const log: string[] = [];
  const kernel = sleeperAndWaker(log);
  kernel.deleteModule('sleeper');
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/waker');
  expect(p.ioctl(fd, RELEASE)).toBe(0);
  expect(log).toEqual(['exit starts', 'released', 'exit finishes']);
  expect(kernel.findModule('sleeper')).toBeUndefined();
  expect(kernel.sleepingTasks()).toEqual([]);
});

test('a woken task whose condition is still false sleeps again (wait_event re-checks)', () => {
  const log: string[] = [];
  const kernel = sleeperAndWaker(log);
  kernel.deleteModule('sleeper');
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/waker');
  p.ioctl(fd, POKE);
  expect(kernel.findModule('sleeper')?.state).toBe('GOING');
  expect(kernel.sleepingTasks().map((sleeping) => sleeping.woken)).toEqual([false]);
  p.ioctl(fd, RELEASE);
  expect(kernel.findModule('sleeper')).toBeUndefined();
  expect(log).toEqual(['exit starts', 'poked', 'released', 'exit finishes']);
});

test('wait_event with its condition already true does not sleep', () => {
  const kernel = kernelWith([
    testImage('quick', {
      exit: ({ kernel: k }) =>
        waitEvent(
          new WaitQueue(k, 'q'),
          () => true,
          () => undefined,
        ),
    }),
  ]);
  expect(kernel.insmod('quick')).toBe(0);
  expect(kernel.deleteModule('quick')).toBe(0);
  expect(kernel.sleepingTasks()).toEqual([]);
});

test('a loop that may sleep goes on where it slept (a driver unbinding its devices one by one)', () => {
  const log: string[] = [];
  const state = { busy: true };
  let wq: WaitQueue | undefined;
  const kernel = kernelWith([
    testImage('drv', {
      init: ({ kernel: k }) => {
        wq = new WaitQueue(k, 'busy_q');
        return 0;
      },
      exit: () =>
        forEachMaySleep(['a', 'b', 'c'], (device) => {
          log.push(`unbind ${device}`);
          if (device !== 'b') return undefined;
          return waitEvent(
            wq as WaitQueue,
            () => !state.busy,
            () => {
              log.push(`unbound ${device}`);
            },
          );
        }),
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.deleteModule('drv')).toBe(-errno.EINPROGRESS);
  expect(log).toEqual(['unbind a', 'unbind b']);
  state.busy = false;
  wq?.wakeUp();
  kernel.runWoken();
  expect(log).toEqual(['unbind a', 'unbind b', 'unbound b', 'unbind c']);
  expect(kernel.findModule('drv')).toBeUndefined();
});

test('with a scheduler attached, woken tasks wait for it: it resumes them and gets the syscall result', () => {
  const log: string[] = [];
  const kernel = sleeperAndWaker(log);
  const scheduler: Scheduler = {
    blocked: () => {
      throw new Error('unexpected block');
    },
  };
  kernel.currentThread = 1;
  expect(kernel.deleteModule('sleeper')).toBe(-errno.EINPROGRESS);
  kernel.currentThread = 2;
  kernel.scheduler = scheduler;
  const p = kernel.spawn('proc');
  p.ioctl(p.open('/dev/waker'), RELEASE);
  const sleeping = kernel.sleeperOf(1);
  expect(sleeping?.woken).toBe(true);
  expect(kernel.findModule('sleeper')?.state).toBe('GOING');
  kernel.currentThread = 1;
  expect(kernel.resume(sleeping ?? (undefined as never))).toBe(0);
  expect(kernel.findModule('sleeper')).toBeUndefined();
});

test('an explorer thread asleep in a syscall cannot start another one', () => {
  const kernel = sleeperAndWaker([]);
  kernel.currentThread = 1;
  kernel.deleteModule('sleeper');
  const p = kernel.spawn('proc');
  expect(() => p.open('/dev/waker')).toThrow('thread 1 is asleep in a syscall');
  kernel.currentThread = 2;
  expect(p.open('/dev/waker')).toBeGreaterThanOrEqual(3);
});

test('a process that has exited makes no more syscalls: -ESRCH, and nothing is opened', () => {
  const kernel = sleeperAndWaker([]);
  const p = kernel.spawn('proc');
  expect(p.exit()).toBe(0);
  expect(p.open('/dev/waker')).toBe(-errno.ESRCH);
  expect(p.ioctl(3, RELEASE)).toBe(-errno.ESRCH);
  expect(p.close(3)).toBe(-errno.ESRCH);
  expect(p.exit()).toBe(-errno.ESRCH);
  expect(kernel.openFiles()).toEqual([]);
  expect(kernel.findModule('waker')?.refcount).toBe(0);
});

test('user memory takes integers only', () => {
  const p = kernelWith([]).spawn('proc');
  expect(() => p.userInt32('x' as unknown as number)).toThrow('userInt32 takes an integer, not "x"');
  expect(() => p.userInt32(1.5)).toThrow(TypeError);
  expect(() => p.userString(7 as unknown as string)).toThrow('userString takes a string');
});
