import type { File } from './file.js';
import type { Kernel } from './kernel.js';
import type { Module } from './module.js';
import type { Refcount } from './refcount.js';

/** kmemleak: the counted references the kernel watches until they are retired, and the scan at shutdown. */
export class LeakCheck {
  private readonly refcounts = new Set<Refcount>();

  constructor(private readonly kernel: Kernel) {}

  trackRefcount(refcount: Refcount): void {
    this.refcounts.add(refcount);
  }

  untrackRefcount(refcount: Refcount): void {
    this.refcounts.delete(refcount);
  }

  /**
   * kmemleak at shutdown: after every process exited and every module that could be unloaded
   * was, anything still referenced is a leak.
   */
  checkLeaks(modules: Iterable<Module>, files: Iterable<File>): void {
    for (const module of modules) {
      if (module.refcount > 0) {
        this.kernel.violation(
          'leak',
          `module ${module.name} still has ${module.refcount} reference(s) at shutdown`,
          {
            module: module.name,
          },
        );
      }
    }
    for (const file of files) {
      this.kernel.violation('leak', `${file.label} still has ${file.count} reference(s) at shutdown`, {
        object: file.label,
      });
    }
    for (const refcount of this.refcounts) {
      if (refcount.count > 0) {
        this.kernel.violation(
          'leak',
          `${refcount.label} still has ${refcount.count} reference(s) at shutdown`,
          {
            module: refcount.module,
            object: refcount.label,
          },
        );
      }
    }
  }
}
