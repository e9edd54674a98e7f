import type { Module } from './module.js';

/**
 * Memory the model can poison: an object allocated by the kernel (kzalloc) or owned by a module.
 * Code paths that dereference one call `kernel.touch(obj)`, the model's KASAN check.
 */
export class KernelObject {
  freed = false;

  constructor(
    readonly label: string,
    readonly owner: Module | null,
  ) {}

  /** Freed explicitly (kfree), or its owner module's memory is gone. */
  get poisoned(): boolean {
    return this.freed || this.owner?.state === 'FREED';
  }
}
