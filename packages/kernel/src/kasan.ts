import type { Kernel } from './kernel.js';
import type { KernelObject } from './kernel-object.js';

/** The model's KASAN check before a dereference. */
export function touch(kernel: Kernel, object: KernelObject): void {
  // KernelObject.poisoned, written out: this runs on every dereference of the hot path.
  const owner = object.owner;
  if (object.freed || (owner !== null && owner.state === 'FREED')) {
    kernel.violation('use-after-free', `access to freed ${object.label}`, {
      object: object.label,
      ...(object.owner === null ? {} : { module: object.owner.name }),
    });
  }
}

/** kfree: the object is poisoned; freeing it twice is a use-after-free too. */
export function kfree(kernel: Kernel, object: KernelObject): void {
  touch(kernel, object);
  object.freed = true;
}
