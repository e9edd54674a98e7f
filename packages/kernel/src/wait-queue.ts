import type { Kernel } from './kernel.js';

/**
 * A task asleep in `wait_event`: the wait queue, the condition it waits for, and the rest of
 * its syscall as a continuation. The model stays synchronous: a function that may sleep returns
 * either its result or a Sleep, and its caller chains what it does next with `afterSleep`, so the
 * code at a sleep point still reads like the kernel function it models:
 *
 *   if (list_empty(&group->device_list))
 *     return waitEvent(group.containerQ, () => group.container === null, () => vfioGroupPut(group));
 */
export class Sleep<T = void> {
  constructor(
    readonly wq: WaitQueue,
    readonly condition: () => boolean,
    /** Runs once the task is woken: re-checks the condition, then the rest of the work. */
    readonly resume: () => MaySleep<T>,
  ) {}

  /** This sleep, followed by `rest` once it has finished. */
  then<U>(rest: (value: T) => MaySleep<U>): Sleep<U> {
    return new Sleep(this.wq, this.condition, () => afterSleep(this.resume(), rest));
  }
}

/** What a function that may sleep returns: its result, or the sleep it is in. */
export type MaySleep<T> = T | Sleep<T>;

/** `wait_queue_head_t`: tasks sleep on it in `wait_event` and `wakeUp` makes them runnable. */
export class WaitQueue {
  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
  ) {}

  /** wake_up: every task asleep here becomes runnable; each re-checks its condition when it runs. */
  wakeUp(): void {
    this.kernel.wakeUp(this);
  }
}

/**
 * wait_event(wq, condition): runs `then` at once if the condition holds, else sleeps. Checking
 * and sleeping are one step (prepare_to_wait before the check), so no wake-up is lost; a woken
 * task checks again and sleeps again if it must.
 */
export function waitEvent<T>(wq: WaitQueue, condition: () => boolean, then: () => MaySleep<T>): MaySleep<T> {
  if (condition()) return then();
  return new Sleep(wq, condition, () => waitEvent(wq, condition, then));
}

/** `rest(value)` now, or after the sleep `value` is in. */
export function afterSleep<T, U>(value: MaySleep<T>, rest: (value: T) => MaySleep<U>): MaySleep<U> {
  return value instanceof Sleep ? value.then(rest) : rest(value);
}

/** `each(item)` for every item in order, where any call may sleep (a driver unbinding its devices one by one). */
export function forEachMaySleep<I>(
  items: readonly I[],
  each: (item: I) => MaySleep<void>,
  from = 0,
): MaySleep<void> {
  for (let i = from; i < items.length; i++) {
    const done = each(items[i] as I);
    if (done instanceof Sleep) return done.then(() => forEachMaySleep(items, each, i + 1));
  }
  return undefined;
}
