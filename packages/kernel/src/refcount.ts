import type { Kernel } from './kernel.js';

/**
 * A counted reference (kref / refcount_t). Going below zero is a refcount underflow; one left
 * above zero at shutdown is a leak (kmemleak). Tracked by the kernel until `retire`.
 */
export class Refcount {
  count = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly label: string,
    readonly module: string,
  ) {
    kernel.trackRefcount(this);
  }

  get(): void {
    this.count += 1;
  }

  /** Drops one reference; true when it reached zero. */
  put(): boolean {
    if (this.count === 0) {
      this.kernel.violation('refcount-underflow', `${this.label}: put with no reference held`, {
        module: this.module,
        object: this.label,
      });
      return false;
    }
    this.count -= 1;
    return this.count === 0;
  }

  /** The object is gone for good; the kernel stops watching it. */
  retire(): void {
    this.kernel.untrackRefcount(this);
  }
}
