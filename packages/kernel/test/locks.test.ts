import { isKernelViolation, Kernel, LockDep, Mutex, type Scheduler } from '@coupling-lab/kernel';

function caught(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

test('taking two lock classes in one order and later in the other is a lock-order violation naming both', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'kvm->lock', 'kvm');
  const b = new Mutex(kernel, 'group->lock', 'vfio');
  a.with(() => b.with(() => undefined));
  b.lock();
  const error = caught(() => a.lock());
  expect(isKernelViolation(error) && [error.kind, error.module, error.object]).toEqual([
    'lock-order',
    'kvm',
    'group->lock <-> kvm->lock',
  ]);
  expect(a.holder).toBeNull();
  expect(kernel.violations).toHaveLength(1);
});

test('no actual deadlock is needed: the inversion is reported even when the two orders never overlap in time', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const a = new Mutex(kernel, 'A', 'm');
  const b = new Mutex(kernel, 'B', 'm');
  kernel.currentThread = 1;
  a.with(() => b.with(() => undefined));
  kernel.currentThread = 2;
  b.with(() => a.with(() => undefined));
  expect(kernel.violations.map((violation) => violation.kind)).toEqual(['lock-order']);
  expect(a.holder).toBeNull();
  expect(b.holder).toBeNull();
});

test('taking two lock classes always in the same order is fine', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'A', 'm');
  const b = new Mutex(kernel, 'B', 'm');
  a.with(() => b.with(() => undefined));
  a.with(() => b.with(() => undefined));
  expect(kernel.violations).toEqual([]);
  expect(kernel.lockdep.edges()).toEqual(['A -> B']);
});

test('a lock-order graph shared between kernels finds an inversion split across two boots', () => {
  const lockdep = new LockDep();
  const first = new Kernel({ lockdep });
  new Mutex(first, 'A', 'm').with(() => new Mutex(first, 'B', 'm').with(() => undefined));
  const second = new Kernel({ lockdep, onViolation: 'record' });
  new Mutex(second, 'B', 'm').with(() => new Mutex(second, 'A', 'm').with(() => undefined));
  expect(second.violations.map((violation) => violation.object)).toEqual(['B <-> A']);
  expect(first.violations).toEqual([]);
});

test('a thread taking a mutex it already holds is a recursive-lock violation, raised even in record mode', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const a = new Mutex(kernel, 'A', 'kvm');
  a.lock();
  const error = caught(() => a.lock());
  expect(isKernelViolation(error) && [error.kind, error.module, error.object]).toEqual([
    'recursive-lock',
    'kvm',
    'A',
  ]);
  expect(kernel.violations.map((violation) => violation.kind)).toEqual(['recursive-lock']);
  expect(a.holder).toBe(0);
});

test('a mutex held by another thread asks the scheduler to switch, or is a deadlock without one', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'A', 'm');
  kernel.currentThread = 1;
  a.lock();
  kernel.currentThread = 2;
  expect(caught(() => a.lock())).toEqual(new Error('deadlock: thread 2 waits for A held by thread 1'));
  const blocked: [string, number][] = [];
  const scheduler: Scheduler = {
    blocked(lockClass, holder) {
      blocked.push([lockClass, holder]);
      throw new Error('switch');
    },
  };
  kernel.scheduler = scheduler;
  expect(caught(() => a.lock())).toEqual(new Error('switch'));
  expect(blocked).toEqual([['A', 1]]);
  expect(a.holder).toBe(1);
});

test('Mutex.with releases the lock when its body throws', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'A', 'm');
  expect(() =>
    a.with(() => {
      throw new Error('body failed');
    }),
  ).toThrow('body failed');
  expect(a.holder).toBeNull();
  expect(a.with(() => 7)).toBe(7);
});

test('every lock acquisition is counted', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'A', 'm');
  const b = new Mutex(kernel, 'B', 'm');
  a.with(() => b.with(() => undefined));
  a.with(() => undefined);
  expect(kernel.counters.lockAcquisitions).toBe(3);
});
