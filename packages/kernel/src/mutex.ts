import type { Kernel } from './kernel.js';

/**
 * A sleeping lock (struct mutex) of a named lock class. Taking it is a preemption point; the
 * kernel checks lock order across every lock the thread holds (lockdep) and reports a thread
 * taking a mutex it already holds (recursive-lock).
 */
export class Mutex {
  holder: number | null = null;

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
