import {
  errno,
  type File,
  type FileOperations,
  type IoctlArg,
  type Kernel,
  KernelObject,
  type Module,
  type Process,
} from '@coupling-lab/kernel';
import { IOMMUFD } from './uapi.js';

/** An IO address space (IOMMUFD_OBJ_IOAS) and the auto domains made in it. */
export interface Ioas {
  readonly kind: 'ioas';
  readonly id: number;
  readonly hwpts: Set<Hwpt>;
}

/**
 * An iommu_domain wrapped as IOMMUFD_OBJ_HWPT_PAGING: an auto domain made by an attach to an
 * IOAS. `enforceCacheCoherency` is set once a device with IOMMU_CAP_ENFORCE_CACHE_COHERENCY
 * attaches (iommufd_hw_pagetable_enforce_cc).
 */
export interface Hwpt {
  readonly kind: 'hwpt';
  readonly id: number;
  readonly ioas: Ioas;
  enforceCacheCoherency: boolean;
  readonly devices: Set<IommufdDevice>;
}

/** IOMMUFD_OBJ_DEVICE: a device bound by VFIO_DEVICE_BIND_IOMMUFD (iommufd_device_bind). */
export interface IommufdDevice {
  readonly kind: 'device';
  readonly id: number;
  /** device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY), read at bind. */
  readonly enforceCacheCoherency: boolean;
  hwpt: Hwpt | null;
}

type IommufdObject = Ioas | Hwpt | IommufdDevice;

/**
 * `struct iommufd_ctx` [drivers/iommu/iommufd/main.c v6.6]: one per open of /dev/iommu, its
 * objects in an xarray whose ids start at 1 (XA_FLAGS_ALLOC1). Only what the VFIO-KVM coupling
 * needs: IOAS, auto-domain HWPTs, bound devices.
 */
export class IommufdCtx extends KernelObject {
  readonly objects = new Map<number, IommufdObject>();
  private nextId = 1;

  constructor(
    owner: Module,
    readonly file: File,
    serial: number,
  ) {
    super(`iommufd ctx ${serial}`, owner);
  }

  private allocId(): number {
    return this.nextId++;
  }

  /** iommufd_ioas_alloc_ioctl: the new IOAS id. */
  allocIoas(): number {
    const ioas: Ioas = { kind: 'ioas', id: this.allocId(), hwpts: new Set() };
    this.objects.set(ioas.id, ioas);
    return ioas.id;
  }

  /** iommufd_device_bind. */
  bindDevice(enforceCacheCoherency: boolean): IommufdDevice {
    const idev: IommufdDevice = { kind: 'device', id: this.allocId(), enforceCacheCoherency, hwpt: null };
    this.objects.set(idev.id, idev);
    return idev;
  }

  /** iommufd_device_unbind: detached first (vfio_iommufd_physical_unbind), then the object goes. */
  unbindDevice(idev: IommufdDevice): void {
    this.detach(idev);
    this.objects.delete(idev.id);
  }

  /**
   * iommufd_device_attach / iommufd_device_replace: `ptId` names an IOAS (an auto domain is found
   * or made, iommufd_device_auto_get_domain) or a HWPT. -ENOENT for no such object
   * (iommufd_get_object), -EINVAL for an object of another type or a domain that cannot take
   * the device. Returns the HWPT id.
   */
  attach(idev: IommufdDevice, ptId: number): number {
    const target = this.objects.get(ptId);
    if (target === undefined) return -errno.ENOENT;
    if (target.kind === 'device') return -errno.EINVAL;
    let hwpt: Hwpt | undefined;
    if (target.kind === 'hwpt') {
      if (!canAttach(target, idev)) return -errno.EINVAL;
      hwpt = target;
    } else {
      hwpt = [...target.hwpts].find((candidate) => canAttach(candidate, idev)) ?? this.newHwpt(target);
    }
    if (idev.hwpt === hwpt) return hwpt.id;
    this.detach(idev);
    // "Try to upgrade the domain we have" (iommufd_hw_pagetable_attach): a capable device makes it enforce.
    if (idev.enforceCacheCoherency) hwpt.enforceCacheCoherency = true;
    hwpt.devices.add(idev);
    idev.hwpt = hwpt;
    return hwpt.id;
  }

  /** iommufd_device_detach: an auto domain goes with its last device. */
  detach(idev: IommufdDevice): void {
    const hwpt = idev.hwpt;
    if (hwpt === null) return;
    hwpt.devices.delete(idev);
    idev.hwpt = null;
    if (hwpt.devices.size === 0) {
      hwpt.ioas.hwpts.delete(hwpt);
      this.objects.delete(hwpt.id);
    }
  }

  /** iommufd_destroy: -ENOENT for no such object, -EBUSY while it has users (iommufd_object_remove). */
  destroy(id: number): number {
    const object = this.objects.get(id);
    if (object === undefined) return -errno.ENOENT;
    const busy =
      object.kind === 'device' || (object.kind === 'ioas' ? object.hwpts.size > 0 : object.devices.size > 0);
    if (busy) return -errno.EBUSY;
    this.objects.delete(id);
    return 0;
  }

  private newHwpt(ioas: Ioas): Hwpt {
    const hwpt: Hwpt = {
      kind: 'hwpt',
      id: this.allocId(),
      ioas,
      enforceCacheCoherency: false,
      devices: new Set(),
    };
    ioas.hwpts.add(hwpt);
    this.objects.set(hwpt.id, hwpt);
    return hwpt;
  }
}

/**
 * Can the domain take the device: a domain that enforces coherency refuses a device whose IOMMU
 * cannot (intel-iommu's force_snooping check); a capable device joins a non-enforcing domain only
 * if the domain can be upgraded, i.e. every device in it is capable too.
 */
function canAttach(hwpt: Hwpt, idev: IommufdDevice): boolean {
  if (hwpt.enforceCacheCoherency) return idev.enforceCacheCoherency;
  if (!idev.enforceCacheCoherency) return true;
  return [...hwpt.devices].every((device) => device.enforceCacheCoherency);
}

/**
 * /dev/iommu [drivers/iommu/iommufd/main.c iommufd_fops]: a new context per open, freed at the
 * last fput (a bound device holds a reference on the file: iommufd_ctx_from_fd's fget).
 */
export function iommufdFops(kernel: Kernel, owner: Module): FileOperations {
  // The contexts' serial numbers live in the table, not in a closure's variable, so that every
  // bit of a booted system's state is reachable from its kernel (the explorer's snapshot).
  const fops: FileOperations & { opened: number } = {
    name: 'iommufd',
    owner,
    opened: 0,
    open(file: File): number {
      file.privateData = new IommufdCtx(owner, file, ++fops.opened);
      return 0;
    },
    release(file: File): void {
      const ctx = file.privateData as IommufdCtx;
      kernel.touch(ctx);
      ctx.objects.clear();
      kernel.kfree(ctx);
    },
    ioctl(file: File, request: number, arg: IoctlArg, current: Process): number {
      const ctx = file.privateData as IommufdCtx;
      kernel.touch(ctx);
      switch (request) {
        case IOMMUFD.IOAS_ALLOC:
          return ctx.allocIoas();
        case IOMMUFD.DESTROY: {
          // Stryker disable next-line ConditionalExpression,UnaryOperator: user memory holds values only in its mmap area, so -1, 1 or a struct all read as nothing (-EFAULT)
          const id = current.memory.readInt32(typeof arg === 'number' ? arg : -1);
          return id === undefined ? -errno.EFAULT : ctx.destroy(id);
        }
        default:
          // Not an iommufd command: iommufd_vfio_ioctl's compat layer knows it neither (-ENOIOCTLCMD).
          return -errno.ENOTTY;
      }
    },
  };
  return fops;
}

/** iommufd_ctx_from_fd: the context with the file reference fdget took, -EBADF, or -EBADFD for another file. */
export function iommufdCtxFromFd(
  kernel: Kernel,
  fops: FileOperations,
  fd: number,
  current: Process,
): IommufdCtx | number {
  const file = current.fdget(fd);
  if (file === undefined) return -errno.EBADF;
  if (file.fops !== fops) {
    kernel.fput(file);
    return -errno.EBADFD;
  }
  return file.privateData as IommufdCtx;
}
