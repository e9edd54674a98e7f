import { errno, type LockDep } from '@coupling-lab/lab';
import { explore, labCore, labTarget, replayTarget, resolveStrategy, scenarioNamed } from '../src/index.js';
import type { UnbindWorld } from '../src/catalogue/unbind-vs-device-open.js';
import type { LabWorld } from '../src/index.js';
import { realStrategies } from './strategies.js';

const scenario = scenarioNamed('unbind-vs-device-open');

/** Replays `schedule` against direct and returns the world it ran on, to read what the steps got. */
function replayed(schedule: string): { verdict: string; world: LabWorld<UnbindWorld> } {
  const target = labTarget(scenario, resolveStrategy('direct'));
  const worlds: LabWorld<UnbindWorld>[] = [];
  const spy = {
    boot(lockdep: LockDep) {
      const booted = target.boot(lockdep);
      worlds.push(booted.world as LabWorld<UnbindWorld>);
      return booted;
    },
  };
  const verdict = replayTarget(labCore(scenario), spy, schedule);
  const world = worlds[worlds.length - 1];
  if (world === undefined) throw new Error('no schedule ran');
  return { verdict: verdict.verdict, world };
}

test.each(realStrategies)(
  '%s: the blocking unbind racing a device open and the VM closing is clean',
  (strategy) => {
    expect(explore('unbind-vs-device-open', strategy)).toMatchObject({ verdict: 'clean', exhaustive: true });
  },
);

test('rmmod first: GET_DEVICE_FD in the window is -ENODEV, and the sleeping unload is resumed once the VM lets go', () => {
  // Thread 1's rmmod sleeps; thread 2 runs its six steps; the last one wakes thread 1, which then finishes.
  const { verdict, world } = replayed('1 2 2 2 2 2 2 1');
  expect(verdict).toBe('clean');
  expect(world.state.vfioDevice).toBe(-errno.ENODEV);
  expect(world.sys.kernel.findModule('vfio_pci')).toBeUndefined();
});

test('the sleeping thread cannot finish before the VM lets go: it is not runnable before thread 2 is done', () => {
  expect(() => replayed('1 1 2 2 2 2 2 2')).toThrow('only thread(s) 2 can start a step there');
});

test('device fd first: it pins vfio_pci, the rmmod is refused, and the device fd works', () => {
  const { verdict, world } = replayed('2 1 2 2 2 2 2');
  expect(verdict).toBe('clean');
  expect(world.state.vfioDevice).toBeGreaterThanOrEqual(3);
});
