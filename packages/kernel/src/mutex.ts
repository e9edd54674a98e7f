import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

/**
 * A sleeping lock (struct mutex) of a named lock class. Taking it is a preemption point; lockdep
 * checks the new dependency against every chain of classes seen so far (lock-order) and reports
 * a task taking a class it already holds (recursive-lock).
 */
export class Mutex {
  /** The task holding it (mutex->owner), or null. */
  holder: Task | null = null;

  constructor(
    private readonly kernel: Kernel,
    readonly lockClass: string,
    readonly module: string,
  ) {}

  lock(): void {
    this.kernel.acquire(this);
  }

  unlock(): void {
    this.kernel.release(this);
  }

  /** Runs `body` with the lock held; the lock is dropped however `body` leaves. */
  with<T>(body: () => T): T {
    this.lock();
    try {
      return body();
    } finally {
      this.unlock();
    }
  }
}
