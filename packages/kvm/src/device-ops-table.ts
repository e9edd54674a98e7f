import { errno, type Kernel, type Module, Mutex } from '@coupling-lab/kernel';
import type { KvmDeviceOps } from './kvm-device.js';
import { KVM } from './uapi.js';

/**
 * How KVM_CREATE_DEVICE protects the ops it found against their module unloading:
 * - 'none': as Linux, no owner, nothing pinned (safe only while the ops are built into kvm);
 * - 'locked': the owner's reference is taken under the table lock, which unregister also takes;
 * - 'unlocked': the owner's reference is taken after the lock is dropped (a race window).
 */
export type DeviceOpsPinning = 'none' | 'locked' | 'unlocked';

/** kvm_device_ops_table [virt/kvm/kvm_main.c] and its lock. */
export class DeviceOpsTable {
  // Stryker disable next-line ArrayDeclaration: the table's length is never read and a slot never set reads undefined either way
  private readonly slots: (KvmDeviceOps | undefined)[] = new Array<KvmDeviceOps | undefined>(
    KVM.DEV_TYPE_MAX,
  );
  readonly lock: Mutex;

  constructor(
    private readonly kernel: Kernel,
    private readonly pinning: DeviceOpsPinning,
  ) {
    this.lock = new Mutex(kernel, 'kvm_device_ops_lock', 'kvm');
  }

  /** kvm_register_device_ops: -ENOSPC out of range, -EEXIST taken. */
  register(ops: KvmDeviceOps, type: number): number {
    if (type < 0 || type >= KVM.DEV_TYPE_MAX) return -errno.ENOSPC;
    return this.lock.with(() => {
      if (this.slots[type] !== undefined) return -errno.EEXIST;
      this.slots[type] = ops;
      return 0;
    });
  }

  /** kvm_unregister_device_ops. */
  unregister(type: number): void {
    if (type < 0 || type >= KVM.DEV_TYPE_MAX) return;
    this.lock.with(() => {
      this.slots[type] = undefined;
    });
  }

  /**
   * The ops for `type` with their owner pinned as the pinning mode says, or undefined (-ENODEV).
   * The caller drops the owner reference (`module_put(ops.owner)`) when the device goes.
   */
  lookup(type: number): { ops: KvmDeviceOps; pinned: Module | null } | undefined {
    if (type < 0 || type >= KVM.DEV_TYPE_MAX) return undefined;
    if (this.pinning === 'none') {
      this.kernel.preempt('ops-access', 'kvm_device_ops_table');
      const ops = this.slots[type];
      return ops === undefined ? undefined : { ops, pinned: null };
    }
    this.lock.lock();
    this.kernel.preempt('ops-access', 'kvm_device_ops_table');
    const ops = this.slots[type];
    if (this.pinning === 'locked') {
      const pinned = ops === undefined ? undefined : this.pin(ops);
      this.lock.unlock();
      return pinned;
    }
    this.lock.unlock();
    return ops === undefined ? undefined : this.pin(ops);
  }

  private pin(ops: KvmDeviceOps): { ops: KvmDeviceOps; pinned: Module | null } | undefined {
    const owner = ops.owner ?? null;
    if (!this.kernel.tryModuleGet(owner)) return undefined;
    return { ops, pinned: owner };
  }
}
