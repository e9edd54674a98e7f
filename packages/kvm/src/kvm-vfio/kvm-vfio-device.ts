import { errno, type Kernel, KernelObject, Mutex, type Process } from '@coupling-lab/kernel';
import type { KvmDevice, KvmDeviceOps } from '../kvm-device.js';
import { KVM, type KvmDeviceAttr } from '../uapi.js';
import type { KvmVfioPort, SetKvmOrder } from './port.js';

/** `struct kvm_vfio_group`: one added group, kzalloc'ed on ADD and kfree'd on DEL or destroy. */
class KvmVfioGroup<H> extends KernelObject {
  constructor(readonly handle: H) {
    super('kvm_vfio_group', null);
  }
}

/** `struct kvm_vfio`: the device's private data. */
class KvmVfio<H> {
  readonly groups: KvmVfioGroup<H>[] = [];
  noncoherent = false;
  constructor(readonly lock: Mutex) {}
}

export interface KvmVfioOptions {
  readonly setKvmOrder?: SetKvmOrder;
  /**
   * How the device lets go of its groups: 'destroy' when the VM is torn down (v5.17 to v6.1), or
   * 'release' when its own fd is released, under kvm->lock (51cdc8bc120e, "kvm/vfio: Fix
   * potential deadlock on vfio group_lock", v6.2).
   */
  readonly teardown?: 'destroy' | 'release';
  /**
   * Coherency is re-tested with kv->lock already held, and ADD keeps its temporary file reference
   * to the end (73e2f19da508, "kvm/vfio: avoid bouncing the mutex when adding and deleting groups",
   * v6.6); before it, kvm_vfio_update_coherency took kv->lock itself.
   */
  readonly coherencyUnderLock?: boolean;
}

/**
 * The kvm-vfio device [virt/kvm/vfio.c v5.17, v6.6], written once against the port. Every errno of
 * SPEC 5's table comes from here, whichever strategy provides the port.
 */
export function kvmVfioOps<H>(
  kernel: Kernel,
  port: KvmVfioPort<H>,
  options: KvmVfioOptions = {},
): KvmDeviceOps {
  const order = options.setKvmOrder ?? 'locked';
  const underLock = options.coherencyUnderLock ?? false;
  const privateOf = (dev: KvmDevice): KvmVfio<H> => dev.private as KvmVfio<H>;

  /**
   * kvm_vfio_update_coherency, with kv->lock held: every group is re-tested, because the
   * coherency of one group's container can change as groups come and go; noncoherent DMA is
   * registered once per transition.
   */
  const retestCoherency = (dev: KvmDevice): void => {
    const kv = privateOf(dev);
    let noncoherent = false;
    for (const kvg of kv.groups) {
      kernel.touch(kvg);
      if (!port.isCoherent(kvg.handle)) {
        noncoherent = true;
        break;
      }
    }
    if (noncoherent !== kv.noncoherent) {
      kv.noncoherent = noncoherent;
      dev.kvm.noncoherentDma += noncoherent ? 1 : -1;
    }
  };

  /** kvm_vfio_update_coherency as it was before 73e2f19da508: it takes kv->lock itself. */
  const updateCoherency = (dev: KvmDevice): void => {
    const lock = privateOf(dev).lock;
    lock.lock();
    try {
      retestCoherency(dev);
    } finally {
      lock.unlock();
    }
  };

  const groupAdd = (dev: KvmDevice, fd: number, current: Process): number => {
    const kv = privateOf(dev);
    const file = current.fdget(fd);
    if (file === undefined) return -errno.EBADF;
    const acquired = port.acquire(file);
    // v6.6 keeps its temporary reference to the end (73e2f19da508); a set_kvm-after-unlock variant has the older shape.
    const keepTemporary = underLock && order === 'locked';
    if (!keepTemporary || typeof acquired === 'number') kernel.fput(file);
    if (typeof acquired === 'number') return acquired;
    const handle = acquired;

    kv.lock.lock();
    for (const existing of kv.groups) {
      kernel.touch(existing);
      if (port.same(existing.handle, handle)) {
        kv.lock.unlock();
        port.release(handle);
        if (keepTemporary) kernel.fput(file);
        return -errno.EEXIST;
      }
    }
    const kvg = new KvmVfioGroup(handle);
    kv.groups.push(kvg);
    dev.kvm.assignedDevices += 1;
    if (order === 'locked') port.setKvm(kvg.handle, dev.kvm);
    if (underLock && order === 'locked') {
      retestCoherency(dev);
      kv.lock.unlock();
      kernel.fput(file);
      return 0;
    }
    kv.lock.unlock();

    if (order === 'unlocked-local') port.setKvm(handle, dev.kvm);
    if (order === 'unlocked-kvg') {
      kernel.touch(kvg);
      port.setKvm(kvg.handle, dev.kvm);
    }
    updateCoherency(dev);
    return 0;
  };

  const groupDel = (dev: KvmDevice, fd: number, current: Process): number => {
    const kv = privateOf(dev);
    const file = current.fdget(fd);
    if (file === undefined) return -errno.EBADF;
    let result = -errno.ENOENT;
    // Written out rather than kv.lock.with(closure): this is the benchmarks' hot path.
    kv.lock.lock();
    try {
      const groups = kv.groups;
      for (let index = 0; index < groups.length; index++) {
        const kvg = groups[index] as KvmVfioGroup<H>;
        kernel.touch(kvg);
        if (!port.matchesFile(kvg.handle, file)) continue;
        groups.splice(index, 1);
        dev.kvm.assignedDevices -= 1;
        port.setKvm(kvg.handle, null);
        port.release(kvg.handle);
        kernel.kfree(kvg);
        result = 0;
        break;
      }
      // Stryker disable next-line ConditionalExpression: re-testing coherency is idempotent, and v5.17's updateCoherency below re-tests it again anyway
      if (underLock) retestCoherency(dev);
    } finally {
      kv.lock.unlock();
    }
    kernel.fput(file);
    if (!underLock) updateCoherency(dev);
    return result;
  };

  /** What destroy (v5.17) and release (v6.2 on) both do: let every group go, then free the device. */
  const letGroupsGo = (dev: KvmDevice, coherency: () => void): void => {
    const kv = privateOf(dev);
    for (const kvg of [...kv.groups]) {
      kernel.touch(kvg);
      port.setKvm(kvg.handle, null);
      port.release(kvg.handle);
      kv.groups.splice(kv.groups.indexOf(kvg), 1);
      kernel.kfree(kvg);
      dev.kvm.assignedDevices -= 1;
    }
    coherency();
    kernel.kfree(dev);
  };

  const readFd = (current: Process, address: number): number | undefined => current.memory.readInt32(address);

  return {
    name: 'kvm-vfio',
    create(dev: KvmDevice): number {
      // Only one VFIO device per VM (kvm_vfio_create); called with kvm->lock held.
      if (dev.kvm.devices.some((other) => other.ops === dev.ops)) return -errno.EBUSY;
      dev.private = new KvmVfio<H>(new Mutex(kernel, 'kvm_vfio.lock', 'kvm'));
      return 0;
    },
    ...(options.teardown === 'release'
      ? {
          // kvm_vfio_release: "executed when the very last reference to kvm_device is being dropped", without kv->lock.
          release: (dev: KvmDevice): void => letGroupsGo(dev, () => retestCoherency(dev)),
        }
      : {
          destroy: (dev: KvmDevice): void =>
            letGroupsGo(dev, () => (underLock ? retestCoherency(dev) : updateCoherency(dev))),
        }),
    set_attr(dev: KvmDevice, attr: KvmDeviceAttr, current: Process): number {
      if (attr.group !== KVM.DEV_VFIO_GROUP) return -errno.ENXIO;
      switch (attr.attr) {
        case KVM.DEV_VFIO_GROUP_ADD: {
          const fd = readFd(current, attr.addr);
          return fd === undefined ? -errno.EFAULT : groupAdd(dev, fd, current);
        }
        case KVM.DEV_VFIO_GROUP_DEL: {
          const fd = readFd(current, attr.addr);
          return fd === undefined ? -errno.EFAULT : groupDel(dev, fd, current);
        }
        default:
          // KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE exists only with CONFIG_SPAPR_TCE_IOMMU (PPC hosts).
          return -errno.ENXIO;
      }
    },
    has_attr(_dev: KvmDevice, attr: KvmDeviceAttr): number {
      if (attr.group !== KVM.DEV_VFIO_GROUP) return -errno.ENXIO;
      return attr.attr === KVM.DEV_VFIO_GROUP_ADD || attr.attr === KVM.DEV_VFIO_GROUP_DEL ? 0 : -errno.ENXIO;
    },
  };
}

/** What a kvm-vfio device holds right now, for inspection. */
export function kvmVfioHandles(dev: KvmDevice): unknown[] {
  const kv = dev.private;
  return kv instanceof KvmVfio
    ? // Stryker disable next-line MethodExpression: DEL and teardown take a kvg off the list before they kfree it, so no freed kvg is ever listed
      kv.groups.filter((kvg) => !kvg.freed).map((kvg) => kvg.handle as unknown)
    : [];
}
