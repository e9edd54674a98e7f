import {
  errno,
  isKernelViolation,
  type Kernel,
  type ModuleImage,
  Mutex,
  type Process,
  type Scheduler,
  waitEvent,
  WaitQueue,
} from '@coupling-lab/kernel';
import { kernelWith, testImage } from './helpers';

/** What a sleeping exit waits for: `open`, signalled on `wq` (created by the module's init). */
interface Gate {
  open: boolean;
  wq?: WaitQueue;
}

/** Sets the gate and wakes its queue (what a driver does when the last user of a device leaves). */
function release(gate: Gate): void {
  gate.open = true;
  gate.wq?.wakeUp();
}

/**
 * A module whose exit waits on `<name>_q` until its gate is open, after running `beforeSleep`
 * (which may wake someone else); its log lines say when the exit starts and finishes.
 */
function sleeper(
  name: string,
  gate: Gate,
  log: string[],
  beforeSleep: () => void = () => undefined,
): ModuleImage {
  return testImage(name, {
    init: ({ kernel }) => {
      gate.wq = new WaitQueue(kernel, `${name}_q`);
      return 0;
    },
    exit: () => {
      log.push(`${name} exit starts`);
      beforeSleep();
      return waitEvent(
        gate.wq as WaitQueue,
        () => gate.open,
        () => {
          log.push(`${name} exit finishes`);
        },
      );
    },
  });
}

/** A driver owning /dev/ctl, whose every ioctl runs `ioctl` (request and calling process given). */
function ctlDriver(ioctl: (kernel: Kernel, request: number, current: Process) => number): ModuleImage {
  return testImage('ctl', {
    init: ({ kernel, module }) => {
      kernel.registerChrdev('/dev/ctl', {
        name: 'ctl_fops',
        owner: module,
        ioctl: (_file, request, _arg, current) => ioctl(kernel, request, current),
      });
      return 0;
    },
    exit: ({ kernel }) => kernel.unregisterChrdev('/dev/ctl'),
  });
}

const noScheduler: Scheduler = {
  blocked: () => {
    throw new Error('no mutex is contended in this test');
  },
};

test('wake_up makes runnable only the tasks asleep on that wait queue', () => {
  const log: string[] = [];
  const a: Gate = { open: false };
  const b: Gate = { open: false };
  const kernel = kernelWith([
    sleeper('a', a, log),
    sleeper('b', b, log),
    ctlDriver(() => {
      release(a);
      return 0;
    }),
  ]);
  for (const name of ['a', 'b', 'ctl']) expect(kernel.insmod(name)).toBe(0);
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  expect(kernel.deleteModule('b')).toBe(-errno.EINPROGRESS);
  // b's condition holds too, but nobody woke b_q: b sleeps on (wait_event re-checks only when woken).
  b.open = true;
  const p = kernel.spawn('proc');
  expect(p.ioctl(p.open('/dev/ctl'), 0)).toBe(0);
  expect(log).toEqual(['a exit starts', 'b exit starts', 'a exit finishes']);
  expect(kernel.findModule('a')).toBeUndefined();
  expect(kernel.findModule('b')?.state).toBe('GOING');
  expect(kernel.sleepingTasks().map((sleeping) => [sleeping.syscall, sleeping.woken])).toEqual([
    ['delete_module(b)', false],
  ]);
  expect(kernel.sleepingCount).toBe(1);
});

test('a syscall that wakes a sleeper and then goes to sleep itself runs the woken task before it returns', () => {
  const log: string[] = [];
  const a: Gate = { open: false };
  const b: Gate = { open: false };
  const kernel = kernelWith([sleeper('a', a, log), sleeper('b', b, log, () => release(a))]);
  expect(kernel.insmod('a')).toBe(0);
  expect(kernel.insmod('b')).toBe(0);
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  expect(kernel.deleteModule('b')).toBe(-errno.EINPROGRESS);
  expect(log).toEqual(['a exit starts', 'b exit starts', 'a exit finishes']);
  expect(kernel.findModule('a')).toBeUndefined();
  expect(kernel.sleepingTasks().map((sleeping) => sleeping.syscall)).toEqual(['delete_module(b)']);
});

test('a woken task runs when the outermost syscall returns to user mode, not at the end of a syscall nested in it', () => {
  // A driver's ioctl that wakes a waiter and then loads a module (request_module from a syscall):
  // the nested init_module returns into the ioctl, not to user mode, so the waiter waits for the ioctl.
  const log: string[] = [];
  const a: Gate = { open: false };
  const kernel = kernelWith([
    sleeper('a', a, log),
    testImage('extra', { init: () => 0 }),
    ctlDriver((k) => {
      release(a);
      log.push('ioctl woke a');
      expect(k.insmod('extra')).toBe(0);
      log.push('ioctl returns');
      return 0;
    }),
  ]);
  expect(kernel.insmod('a')).toBe(0);
  expect(kernel.insmod('ctl')).toBe(0);
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  const p = kernel.spawn('proc');
  expect(p.ioctl(p.open('/dev/ctl'), 0)).toBe(0);
  expect(log).toEqual(['a exit starts', 'ioctl woke a', 'ioctl returns', 'a exit finishes']);
});

test('a nested syscall that wakes a waiter and sleeps itself leaves the waiter to the outermost return too', () => {
  const log: string[] = [];
  const a: Gate = { open: false };
  const b: Gate = { open: false };
  const kernel = kernelWith([
    sleeper('a', a, log),
    sleeper('b', b, log, () => release(a)),
    ctlDriver((k) => {
      expect(k.deleteModule('b')).toBe(-errno.EINPROGRESS);
      log.push('ioctl returns');
      return 0;
    }),
  ]);
  for (const name of ['a', 'b', 'ctl']) expect(kernel.insmod(name)).toBe(0);
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  const p = kernel.spawn('proc');
  expect(p.ioctl(p.open('/dev/ctl'), 0)).toBe(0);
  expect(log).toEqual(['a exit starts', 'b exit starts', 'ioctl returns', 'a exit finishes']);
});

test('with a scheduler attached, a syscall that wakes a waiter and then sleeps leaves the waiter for the scheduler to run', () => {
  const log: string[] = [];
  const a: Gate = { open: false };
  const b: Gate = { open: false };
  const kernel = kernelWith([sleeper('a', a, log), sleeper('b', b, log, () => release(a))]);
  expect(kernel.insmod('a')).toBe(0);
  expect(kernel.insmod('b')).toBe(0);
  kernel.scheduler = noScheduler;
  kernel.currentThread = 1;
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  kernel.currentThread = 2;
  expect(kernel.deleteModule('b')).toBe(-errno.EINPROGRESS);
  expect(log).toEqual(['a exit starts', 'b exit starts']);
  expect(kernel.sleeperOf(1)?.woken).toBe(true);
  expect(kernel.sleeperOf(2)?.woken).toBe(false);
});

test('a sleeping task is taken off the list when it runs: resuming it a second time is a programming error', () => {
  const a: Gate = { open: false };
  const kernel = kernelWith([sleeper('a', a, [])]);
  expect(kernel.insmod('a')).toBe(0);
  kernel.scheduler = noScheduler;
  kernel.currentThread = 1;
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  const sleeping = kernel.sleeperOf(1);
  if (sleeping === undefined) throw new Error('delete_module(a) is not asleep on thread 1');
  release(a);
  expect(kernel.resume(sleeping)).toBe(0);
  expect(() => kernel.resume(sleeping)).toThrow('delete_module(a) is not asleep');
  expect(kernel.sleepingCount).toBe(0);
});

test('a violation raised by a woken task as it runs comes out of the syscall that woke it, and no task stays current', () => {
  const a: Gate = { open: false };
  const kernel = kernelWith([
    testImage('a', {
      init: ({ kernel: k }) => {
        a.wq = new WaitQueue(k, 'a_q');
        return 0;
      },
      exit: ({ kernel: k }) =>
        waitEvent(
          a.wq as WaitQueue,
          () => a.open,
          () => k.violation('dangling-reference', 'a_dev still has 1 user(s)', { module: 'a' }),
        ),
    }),
    ctlDriver(() => {
      release(a);
      return 0;
    }),
  ]);
  expect(kernel.insmod('a')).toBe(0);
  expect(kernel.insmod('ctl')).toBe(0);
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/ctl');
  expect(() => p.ioctl(fd, 0)).toThrow('dangling-reference: a_dev still has 1 user(s)');
  expect(kernel.current).toBeNull();
  expect(kernel.sleepingCount).toBe(0);
});

test('a task that would wait for a mutex held by a sleeping task is a deadlock, and the report says where the holder sleeps', () => {
  const a: Gate = { open: false };
  const other: Gate = { open: false };
  let lock: Mutex | undefined;
  const kernel = kernelWith(
    [
      sleeper('other', other, []),
      testImage('a', {
        init: ({ kernel: k }) => {
          a.wq = new WaitQueue(k, 'a_q');
          lock = new Mutex(k, 'a->dev_lock', 'a');
          return 0;
        },
        // vfio_unregister_group_dev's shape: the exit sleeps with the device lock held.
        exit: () => {
          lock?.lock();
          return waitEvent(
            a.wq as WaitQueue,
            () => a.open,
            () => lock?.unlock(),
          );
        },
      }),
      ctlDriver(() => {
        lock?.with(() => release(a));
        return 0;
      }),
    ],
    { onViolation: 'record' },
  );
  for (const name of ['other', 'a', 'ctl']) expect(kernel.insmod(name)).toBe(0);
  // Another task asleep first, holding nothing: the report must name the holder's sleep.
  expect(kernel.deleteModule('other')).toBe(-errno.EINPROGRESS);
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  const p = kernel.spawn('qemu');
  const fd = p.open('/dev/ctl');
  let error: unknown;
  try {
    p.ioctl(fd, 0);
  } catch (caught) {
    error = caught;
  }
  expect(isKernelViolation(error) && [error.kind, error.module, error.object, error.message]).toEqual([
    'deadlock',
    'a',
    'a->dev_lock',
    'deadlock: qemu[1] would wait forever for a->dev_lock, held by delete_module(a), asleep in delete_module(a) on a_q',
  ]);
  expect(kernel.violations).toEqual([error]);
});

test('running a task that was not woken (it re-checks and sleeps again) loses no other task its wake-up', () => {
  const log: string[] = [];
  const a: Gate = { open: false };
  const b: Gate = { open: false };
  const kernel = kernelWith([sleeper('a', a, log), sleeper('b', b, log)]);
  expect(kernel.insmod('a')).toBe(0);
  expect(kernel.insmod('b')).toBe(0);
  kernel.scheduler = noScheduler;
  kernel.currentThread = 1;
  expect(kernel.deleteModule('a')).toBe(-errno.EINPROGRESS);
  kernel.currentThread = 2;
  expect(kernel.deleteModule('b')).toBe(-errno.EINPROGRESS);
  release(b);
  const asleep = kernel.sleeperOf(1);
  if (asleep === undefined) throw new Error('delete_module(a) is not asleep');
  kernel.currentThread = 1;
  expect(kernel.resume(asleep)).toBe(-errno.EINPROGRESS);
  kernel.currentThread = 0;
  kernel.scheduler = undefined;
  kernel.runWoken();
  expect(log).toEqual(['a exit starts', 'b exit starts', 'b exit finishes']);
  expect(kernel.sleepingTasks().map((sleeping) => [sleeping.syscall, sleeping.woken])).toEqual([
    ['delete_module(a)', false],
  ]);
});

test('counters.wakeUps counts every wake_up, whether or not it woke anyone', () => {
  const kernel = kernelWith([]);
  const wq = new WaitQueue(kernel, 'nobody_q');
  const before = kernel.counters.wakeUps;
  wq.wakeUp();
  wq.wakeUp();
  expect(kernel.counters.wakeUps - before).toBe(2);
  expect(kernel.sleepingCount).toBe(0);
});
