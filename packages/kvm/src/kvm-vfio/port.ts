import type { File } from '@coupling-lab/kernel';
import type { Vm } from '../vm.js';

/**
 * The KVM-side port: the handful of things the kvm-vfio device needs from VFIO. A strategy
 * supplies how each reaches VFIO (symbol_get, an ops table, direct calls); the device's rules
 * live once, in kvm-vfio-device.ts. `H` is what KVM keeps per added group (a group reference or
 * the file itself).
 */
export interface KvmVfioPort<H> {
  /** Validate `file` and take what KVM keeps while the group is added; a negative errno refuses it. */
  acquire(file: File): H | number;
  /** Let go of what `acquire` took. */
  release(handle: H): void;
  /** Do two handles name the same group (a second GROUP_ADD is -EEXIST)? */
  same(a: H, b: H): boolean;
  /** Does `handle` belong to `file` (GROUP_DEL's match)? */
  matchesFile(handle: H, file: File): boolean;
  /** VFIO_DMA_CC_IOMMU for the group: does its IOMMU enforce cache coherency? */
  isCoherent(handle: H): boolean;
  /** Tell VFIO the VM the group is used by, or null when KVM lets go. */
  setKvm(handle: H, vm: Vm | null): void;
}

/**
 * Where set_kvm happens in GROUP_ADD:
 * - 'locked': under kv->lock, as since the 2023 fix (upstream 9e0f4f2918c2);
 * - 'unlocked-local': after kv->lock is dropped, on the handle KVM got back (v5.17);
 * - 'unlocked-kvg': after kv->lock is dropped, reading the handle from the kvg entry (v5.19).
 */
export type SetKvmOrder = 'locked' | 'unlocked-local' | 'unlocked-kvg';
