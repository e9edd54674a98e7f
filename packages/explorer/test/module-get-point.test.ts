import { errno, type Kernel } from '@coupling-lab/kernel';
import { explore, type ScenarioCore } from '../src/core/index.js';
import { providerTarget } from './toys.js';

/**
 * try_module_get on a module pointer that nothing pins: the window is the module-get preemption
 * point itself, between finding the module and taking the reference. Linux closes it by finding
 * and pinning under RCU or a lock (__symbol_get, chrdev_open's cdev_lock); this toy does neither,
 * so only an explorer that preempts at `module-get` can put rmmod in between.
 */
const getUnpinned: ScenarioCore<Kernel> = {
  name: 'get-unpinned',
  description: 'thread 1 finds provider, then try_module_get()s it and puts it; thread 2 rmmods provider',
  invariant: 'no use-after-free; every refcount back to zero',
  threads: [
    [
      {
        label: 'find_module(provider); try_module_get; module_put',
        run: (kernel) => {
          const module = kernel.findModule('provider');
          if (module === undefined) return -errno.ENOENT;
          if (!kernel.tryModuleGet(module)) return -errno.ENODEV;
          kernel.modulePut(module);
          return 0;
        },
      },
    ],
    [{ label: 'delete_module(provider)', run: (kernel) => kernel.deleteModule('provider') }],
  ],
  teardown: (kernel) => {
    if (kernel.findModule('provider') !== undefined) kernel.deleteModule('provider');
    kernel.checkLeaks();
  },
};

test("rmmod run at try_module_get's own preemption point frees the module under the get: a use-after-free at point 1", () => {
  // Thread 1's first primitive is the module-get (find_module is no preemption point), so the
  // conviction is '1 2@1'. An explorer that skipped module-get points would see only whole-step
  // orders, in which thread 1 either finds no module or pins a live one, and call it clean.
  expect(explore(getUnpinned, providerTarget)).toMatchObject({
    verdict: 'violation',
    kind: 'use-after-free',
    module: 'provider',
    schedule: '1 2@1',
    trace: [
      { thread: 1, point: 'module-get', subject: 'provider' },
      { thread: 2, point: 'syscall', subject: 'delete_module(provider)' },
      { thread: 2, point: 'module-state', subject: 'provider' },
      { thread: 2, point: 'module-state', subject: 'provider' },
    ],
  });
});
