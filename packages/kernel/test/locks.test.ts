import { isKernelViolation, Kernel, LockDep, Mutex, type Scheduler, type Task } from '@coupling-lab/kernel';

function caught(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Takes `classes` nested, outermost first, on `kernel`'s current thread, and lets them go. */
function nest(kernel: Kernel, ...classes: string[]): void {
  const mutexes = classes.map((lockClass) => new Mutex(kernel, lockClass, 'm'));
  for (const mutex of mutexes) mutex.lock();
  for (const mutex of mutexes.reverse()) mutex.unlock();
}

test('taking two lock classes in one order and later in the other is a lock-order violation with the cycle', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'kvm->lock', 'kvm');
  const b = new Mutex(kernel, 'group->lock', 'vfio');
  a.with(() => b.with(() => undefined));
  b.lock();
  const error = caught(() => a.lock());
  expect(isKernelViolation(error) && [error.kind, error.module, error.object]).toEqual([
    'lock-order',
    'kvm',
    'group->lock -> kvm->lock -> group->lock',
  ]);
  expect(isKernelViolation(error) && error.chain).toEqual([
    { held: 'group->lock', taken: 'kvm->lock' },
    { held: 'kvm->lock', taken: 'group->lock' },
  ]);
  expect(isKernelViolation(error) && error.message).toContain(
    'possible circular locking dependency detected',
  );
  expect(a.holder).toBeNull();
  expect(kernel.violations).toHaveLength(1);
});

test('no actual deadlock is needed: the inversion is reported even when the two orders never overlap in time', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  kernel.currentThread = 1;
  nest(kernel, 'A', 'B');
  kernel.currentThread = 2;
  nest(kernel, 'B', 'A');
  expect(kernel.violations.map((violation) => violation.kind)).toEqual(['lock-order']);
});

test('taking two lock classes always in the same order is fine, and each dependency is recorded once', () => {
  const kernel = new Kernel();
  nest(kernel, 'A', 'B');
  nest(kernel, 'A', 'B');
  expect(kernel.violations).toEqual([]);
  expect(kernel.lockdep.edges()).toEqual(['A -> B']);
});

test('lockdep records the dependency on the innermost held lock only, as check_prevs_add does', () => {
  const kernel = new Kernel();
  nest(kernel, 'A', 'B', 'C');
  expect(kernel.lockdep.edges()).toEqual(['A -> B', 'B -> C']);
});

test('three nested locks: taking the innermost class before the outermost one closes a cycle through the middle one', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  nest(kernel, 'A', 'B', 'C');
  nest(kernel, 'C', 'A');
  expect(kernel.violations.map((violation) => [violation.kind, violation.object])).toEqual([
    ['lock-order', 'C -> A -> B -> C'],
  ]);
});

test('a cycle through three classes, each dependency taken by a different kernel on one graph, is convicted with its chain', () => {
  const lockdep = new LockDep();
  const kernels = [0, 1, 2].map(() => new Kernel({ lockdep, onViolation: 'record' }));
  const [first, second, third] = kernels as [Kernel, Kernel, Kernel];
  nest(first, 'A', 'B');
  nest(second, 'B', 'C');
  expect(first.violations.concat(second.violations)).toEqual([]);
  nest(third, 'C', 'A');
  expect(third.violations.map((violation) => violation.chain)).toEqual([
    [
      { held: 'C', taken: 'A' },
      { held: 'A', taken: 'B' },
      { held: 'B', taken: 'C' },
    ],
  ]);
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
  expect(isKernelViolation(error) && error.message).toContain('possible recursive locking detected');
  expect(kernel.violations.map((violation) => violation.kind)).toEqual(['recursive-lock']);
  expect(a.holder?.thread).toBe(0);
});

test('taking a second lock of a class already held is recursive-lock too (check_deadlock compares classes), and the lock is taken', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const first = new Mutex(kernel, 'group_lock', 'vfio');
  const second = new Mutex(kernel, 'group_lock', 'vfio');
  first.lock();
  second.lock();
  expect(kernel.violations.map((violation) => [violation.kind, violation.object])).toEqual([
    ['recursive-lock', 'group_lock'],
  ]);
  expect(second.holder).toBe(first.holder);
  expect(kernel.lockdep.edges()).toEqual([]);
});

test('three nested locks: a lock of the outermost class taken under a middle one is recursive-lock, found by scanning every held lock', () => {
  // check_deadlock [kernel/locking/lockdep.c] walks all of curr->held_locks, not only the top one:
  // with A, B held, a second A is recursive even though B is innermost. Checking only the
  // innermost lock would miss it and report the B -> A edge as a lock-order cycle instead.
  const kernel = new Kernel({ onViolation: 'record' });
  const outer = new Mutex(kernel, 'A', 'm');
  const middle = new Mutex(kernel, 'B', 'm');
  const inner = new Mutex(kernel, 'A', 'm');
  outer.lock();
  middle.lock();
  inner.lock();
  // The first report is the recursion (record mode goes on to note the B -> A inversion too).
  const first = kernel.violations[0];
  expect([first?.kind, first?.object]).toEqual(['recursive-lock', 'A']);
  expect(first?.message).toContain('while holding another A');
});

test('a mutex held by another thread asks the scheduler; without one the wait could never end: a deadlock', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const a = new Mutex(kernel, 'A', 'm');
  kernel.currentThread = 1;
  a.lock();
  kernel.currentThread = 2;
  const error = caught(() => a.lock());
  expect(isKernelViolation(error) && [error.kind, error.object]).toEqual(['deadlock', 'A']);
  const blocked: [string, number][] = [];
  const scheduler: Scheduler = {
    blocked(mutex: Mutex, holder: Task) {
      blocked.push([mutex.lockClass, holder.thread]);
      throw new Error('switch');
    },
  };
  kernel.scheduler = scheduler;
  expect(caught(() => a.lock())).toEqual(new Error('switch'));
  expect(blocked).toEqual([['A', 1]]);
  expect(a.holder?.thread).toBe(1);
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

test('locks released out of order leave the others held', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'A', 'm');
  const b = new Mutex(kernel, 'B', 'm');
  a.lock();
  b.lock();
  a.unlock();
  expect(b.holder?.held).toEqual([b]);
  b.unlock();
  expect(b.holder).toBeNull();
});

test('every lock acquisition is counted', () => {
  const kernel = new Kernel();
  nest(kernel, 'A', 'B');
  nest(kernel, 'A');
  expect(kernel.counters.lockAcquisitions).toBe(3);
});

test("lockdep's search marks each class when first reached: the chain goes through the dependency recorded first", () => {
  // __bfs [kernel/locking/lockdep.c] visits each lock class once (lock_accessed), so of two equally
  // short paths the report shows the one found first: A -> B -> D here, not A -> C -> D.
  const kernel = new Kernel({ onViolation: 'record' });
  nest(kernel, 'A', 'B', 'D');
  nest(kernel, 'A', 'C', 'D');
  expect(kernel.lockdep.edges()).toEqual(['A -> B', 'A -> C', 'B -> D', 'C -> D']);
  nest(kernel, 'D', 'A');
  expect(kernel.violations.map((violation) => violation.chain)).toEqual([
    [
      { held: 'D', taken: 'A' },
      { held: 'A', taken: 'B' },
      { held: 'B', taken: 'D' },
    ],
  ]);
});

test('a dependency is checked when it is first recorded: taking the inverted order again reports nothing new', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  nest(kernel, 'A', 'B');
  nest(kernel, 'B', 'A');
  nest(kernel, 'B', 'A');
  nest(kernel, 'A', 'B');
  expect(kernel.violations.map((violation) => violation.object)).toEqual(['B -> A -> B']);
  expect(kernel.lockdep.edges()).toEqual(['A -> B', 'B -> A']);
});

test('wouldCloseCycle asks the question without recording the dependency', () => {
  const lockdep = new LockDep();
  expect(lockdep.record('A', 'B')).toBeUndefined();
  expect(lockdep.record('B', 'C')).toBeUndefined();
  expect(lockdep.wouldCloseCycle('C', 'A')).toBe(true);
  expect(lockdep.wouldCloseCycle('A', 'C')).toBe(false);
  expect(lockdep.wouldCloseCycle('A', 'B')).toBe(false);
  expect(lockdep.edges()).toEqual(['A -> B', 'B -> C']);
  // Once the inversion is recorded anyway, asking about a known edge is no new cycle.
  expect(lockdep.record('C', 'A')).toHaveLength(3);
  expect(lockdep.wouldCloseCycle('C', 'A')).toBe(false);
  expect(lockdep.wouldCloseCycle('C', 'B')).toBe(true);
});

test('a search from a class already on a cycle ends: a new dependency out of it is no cycle', () => {
  const kernel = new Kernel({ onViolation: 'record' });
  nest(kernel, 'A', 'B');
  nest(kernel, 'B', 'A');
  nest(kernel, 'C', 'A');
  nest(kernel, 'C', 'B');
  expect(kernel.violations).toHaveLength(1);
  expect(kernel.lockdep.edges()).toEqual(['A -> B', 'B -> A', 'C -> A', 'C -> B']);
});

test('unlocking a mutex nobody holds leaves it free and changes no held locks', () => {
  const kernel = new Kernel();
  const a = new Mutex(kernel, 'A', 'm');
  const b = new Mutex(kernel, 'B', 'm');
  a.lock();
  b.unlock();
  expect([a.holder?.held, b.holder]).toEqual([[a], null]);
  a.unlock();
  expect(a.holder).toBeNull();
});

test("a process's syscalls on one explorer thread run as one task: a lock its ioctl kept is its own on the next one", () => {
  const kernel = new Kernel({ onViolation: 'record' });
  const lock = new Mutex(kernel, 'drv->lock', 'drv');
  kernel.registerChrdev('/dev/drv', {
    name: 'drv_fops',
    owner: null,
    ioctl: () => {
      lock.lock();
      return 0;
    },
  });
  const p = kernel.spawn('qemu');
  kernel.currentThread = 1;
  const fd = p.open('/dev/drv');
  expect(p.ioctl(fd, 0)).toBe(0);
  const error = caught(() => p.ioctl(fd, 0));
  expect(isKernelViolation(error) && error.message).toBe(
    'recursive-lock: possible recursive locking detected: qemu[1]/thread 1 takes drv->lock, which it already holds',
  );
  expect(lock.holder?.name).toBe('qemu[1]/thread 1');
  kernel.currentThread = 0;
  expect(caught(() => p.ioctl(fd, 0))).toMatchObject({
    kind: 'deadlock',
    message: 'deadlock: qemu[1] would wait forever for drv->lock, held by qemu[1]/thread 1',
  });
});
