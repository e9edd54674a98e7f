import { errno, Kernel, Mutex, type LockDep, type ModuleImage } from '@coupling-lab/kernel';
import type { ExplorationTarget, ScenarioCore } from '../src/core/index.js';

/** Kernel-only toy worlds: just enough module system and locking to race. */

const provider: ModuleImage = {
  name: 'provider',
  description: 'exports provider_fn (EXPORT_SYMBOL_GPL)',
  imports: [],
  exports: { provider_fn: { gpl: true } },
  load: () => ({ symbols: { provider_fn: (): number => 42 }, exit: (): void => {} }),
};

/** A kernel with `provider` loaded. */
export const providerTarget: ExplorationTarget<Kernel> = {
  boot(lockdep: LockDep) {
    const kernel = new Kernel({ lockdep });
    kernel.registerImage(provider);
    if (kernel.insmod('provider') !== 0) throw new Error('toy boot: insmod provider failed');
    return { kernel, world: kernel };
  },
};

function unloadAndCheck(kernel: Kernel): void {
  if (kernel.findModule('provider') !== undefined) kernel.deleteModule('provider');
  kernel.checkLeaks();
}

/** Check-then-act: the reference is dropped before the kept pointer is called. */
export const putThenCall: ScenarioCore<Kernel> = {
  name: 'put-then-call',
  description:
    'thread 1 symbol_gets provider_fn, puts it, then calls the kept pointer; thread 2 rmmods provider',
  invariant: 'no use-after-free; every refcount back to zero',
  threads: [
    [
      {
        label: 'symbol_get(provider_fn); symbol_put; call',
        run: (kernel) => {
          const fn = kernel.symbolGet<() => number>('provider_fn');
          if (fn === null) return -errno.ENOENT;
          kernel.symbolPut('provider_fn');
          return fn();
        },
      },
    ],
    [{ label: 'delete_module(provider)', run: (kernel) => kernel.deleteModule('provider') }],
  ],
  teardown: unloadAndCheck,
};

/** As putThenCall with two calls of the kept pointer: two windows for the same use-after-free. */
export const putThenCallTwice: ScenarioCore<Kernel> = {
  ...putThenCall,
  name: 'put-then-call-twice',
  description:
    'thread 1 symbol_gets provider_fn, puts it, then calls the kept pointer twice; thread 2 rmmods provider',
  threads: [
    [
      {
        label: 'symbol_get(provider_fn); symbol_put; call; call',
        run: (kernel) => {
          const fn = kernel.symbolGet<() => number>('provider_fn');
          if (fn === null) return -errno.ENOENT;
          kernel.symbolPut('provider_fn');
          return fn() + fn();
        },
      },
    ],
    [{ label: 'delete_module(provider)', run: (kernel) => kernel.deleteModule('provider') }],
  ],
};

/** The fix: the call is made while the symbol_get reference still pins the module. */
export const callThenPut: ScenarioCore<Kernel> = {
  ...putThenCall,
  name: 'call-then-put',
  description: 'thread 1 symbol_gets provider_fn, calls it, then puts it; thread 2 rmmods provider',
  threads: [
    [
      {
        label: 'symbol_get(provider_fn); call; symbol_put',
        run: (kernel) => {
          const fn = kernel.symbolGet<() => number>('provider_fn');
          if (fn === null) return -errno.ENOENT;
          const result = fn();
          kernel.symbolPut('provider_fn');
          return result;
        },
      },
    ],
    [{ label: 'delete_module(provider)', run: (kernel) => kernel.deleteModule('provider') }],
  ],
};

export interface LockWorld {
  readonly kernel: Kernel;
  readonly a: Mutex;
  readonly b: Mutex;
  /** Which thread got there first, for scenarios whose lock order depends on it. */
  claimedBy: number;
  count: number;
}

export const lockTarget: ExplorationTarget<LockWorld> = {
  boot(lockdep: LockDep) {
    const kernel = new Kernel({ lockdep });
    return {
      kernel,
      world: {
        kernel,
        a: new Mutex(kernel, 'a_lock', 'toy'),
        b: new Mutex(kernel, 'b_lock', 'toy'),
        claimedBy: 0,
        count: 0,
      },
    };
  },
};

const nothingToTearDown = (): void => {};

/** The classic ABBA: one thread nests b in a, the other a in b. */
export const abba: ScenarioCore<LockWorld> = {
  name: 'abba',
  description: 'thread 1 takes a_lock then b_lock, thread 2 b_lock then a_lock',
  invariant: 'one lock order',
  threads: [
    [{ label: 'a_lock { b_lock }', run: (w) => w.a.with(() => w.b.with(() => w.count++)) }],
    [{ label: 'b_lock { a_lock }', run: (w) => w.b.with(() => w.a.with(() => w.count++)) }],
  ],
  teardown: nothingToTearDown,
};

/** ABBA where only the first thread to arrive takes its locks, so no single schedule takes both orders. */
export const abbaFirstComer: ScenarioCore<LockWorld> = {
  name: 'abba-first-comer',
  description:
    'whichever thread comes first takes its two locks: thread 1 a_lock then b_lock, thread 2 the reverse',
  invariant: 'one lock order',
  threads: [
    [
      {
        label: 'first? a_lock { b_lock }',
        run: (w) => {
          if (w.claimedBy === 0) {
            w.claimedBy = 1;
            w.a.with(() => w.b.with(() => w.count++));
          }
        },
      },
    ],
    [
      {
        label: 'first? b_lock { a_lock }',
        run: (w) => {
          if (w.claimedBy === 0) {
            w.claimedBy = 2;
            w.b.with(() => w.a.with(() => w.count++));
          }
        },
      },
    ],
  ],
  teardown: nothingToTearDown,
};

/** Thread 2 takes a_lock; nested inside thread 1's a_lock section it would block there. */
export const contended: ScenarioCore<LockWorld> = {
  name: 'contended',
  description: 'thread 1 takes a_lock then b_lock inside it; thread 2 takes a_lock',
  invariant: 'no violation',
  threads: [
    [{ label: 'a_lock { b_lock }', run: (w) => w.a.with(() => w.b.with(() => w.count++)) }],
    [{ label: 'a_lock', run: (w) => w.a.with(() => w.count++) }],
  ],
  teardown: nothingToTearDown,
};
