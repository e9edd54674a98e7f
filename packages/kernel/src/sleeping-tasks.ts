import type { Sleep } from './wait-queue.js';
import type { Task } from './task.js';
import type { WaitQueue } from './wait-queue.js';

/** A task asleep inside a syscall, waiting for a wake-up on its wait queue. */
export interface SleepingTask {
  readonly task: Task;
  /** The syscall it sleeps in, e.g. `delete_module(vfio_pci)`. */
  readonly syscall: string;
  readonly sleep: Sleep<number>;
  /** Woken by wake_up since it went to sleep: runnable again (it re-checks its condition when it runs). */
  woken: boolean;
}

/** The tasks asleep in wait_event, in the order they went to sleep. */
export class SleepingTasks {
  private readonly asleep: SleepingTask[] = [];
  /** How many are asleep: one test on the syscall entry path when zero. */
  size = 0;
  /** How many are woken and not yet run: one test on the syscall exit path when zero. */
  wokenCount = 0;

  park(task: Task, syscall: string, sleep: Sleep<number>): SleepingTask {
    const sleeping: SleepingTask = { task, syscall, sleep, woken: false };
    this.asleep.push(sleeping);
    this.size = this.asleep.length;
    return sleeping;
  }

  /** wake_up: every task sleeping on `wq` becomes runnable. */
  wakeUp(wq: WaitQueue): void {
    for (const sleeping of this.asleep) {
      if (sleeping.sleep.wq === wq && !sleeping.woken) {
        sleeping.woken = true;
        this.wokenCount += 1;
      }
    }
  }

  /** Takes a task off the list to run it. */
  take(sleeping: SleepingTask): void {
    const index = this.asleep.indexOf(sleeping);
    if (index < 0) throw new Error(`${sleeping.task.name} is not asleep`);
    this.asleep.splice(index, 1);
    this.size = this.asleep.length;
    if (sleeping.woken) this.wokenCount -= 1;
  }

  firstWoken(): SleepingTask | undefined {
    return this.wokenCount === 0 ? undefined : this.asleep.find((sleeping) => sleeping.woken);
  }

  ofThread(thread: number): SleepingTask | undefined {
    return this.asleep.find((sleeping) => sleeping.task.thread === thread);
  }

  list(): readonly SleepingTask[] {
    return this.asleep;
  }
}
