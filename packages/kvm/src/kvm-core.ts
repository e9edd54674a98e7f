import {
  errno,
  type File,
  type FileOperations,
  type IoctlArg,
  type Kernel,
  type Module,
  Mutex,
  type Process,
} from '@coupling-lab/kernel';
import { type DeviceOpsPinning, DeviceOpsTable } from './device-ops-table.js';
import { KvmDevice, type KvmDeviceOps } from './kvm-device.js';
import { KVM, type KvmDeviceAttr } from './uapi.js';
import { Vm } from './vm.js';

type AttrAccessor = KvmDeviceOps['set_attr'];

/**
 * The kvm module's data [virt/kvm/kvm_main.c]: its VMs, the device ops table, and the file
 * operations of /dev/kvm, VM fds and device fds.
 */
export class KvmCore {
  readonly vms: Vm[] = [];
  readonly deviceOps: DeviceOpsTable;
  readonly devKvmFops: FileOperations;
  readonly vmFops: FileOperations;
  readonly deviceFops: FileOperations;
  private nextVmId = 1;

  constructor(
    readonly kernel: Kernel,
    readonly module: Module,
    pinning: DeviceOpsPinning,
  ) {
    this.deviceOps = new DeviceOpsTable(kernel, pinning);
    this.devKvmFops = {
      name: 'kvm',
      owner: module,
      ioctl: (_file: File, request: number, _arg: IoctlArg, current: Process): number => {
        if (request === KVM.GET_API_VERSION) return KVM.API_VERSION;
        if (request === KVM.CREATE_VM) return this.createVm(current);
        return -errno.EINVAL;
      },
    };
    this.vmFops = {
      name: 'kvm-vm',
      owner: module,
      release: (file: File): void => this.putVm(file.privateData as Vm),
      ioctl: (file: File, request: number, arg: IoctlArg, current: Process): number => {
        if (request !== KVM.CREATE_DEVICE) return -errno.ENOTTY;
        // kvm_vm_ioctl: copy_from_user(&cd, argp, sizeof(cd)) fails with -EFAULT.
        const cd = userStruct(arg, ['type'], ['flags']);
        if (cd === undefined) return -errno.EFAULT;
        return this.createDevice(file.privateData as Vm, cd.type ?? 0, cd.flags ?? 0, current);
      },
    };
    this.deviceFops = {
      name: 'kvm-device',
      owner: module,
      release: (file: File): void => this.releaseDevice(file.privateData as KvmDevice),
      ioctl: (file: File, request: number, arg: IoctlArg, current: Process): number =>
        this.deviceIoctl(file.privateData as KvmDevice, request, arg, current),
    };
  }

  /** kvm_dev_ioctl_create_vm: the VM holds a reference on kvm (kvm_create_vm), its fd another. */
  private createVm(current: Process): number {
    if (!this.kernel.tryModuleGet(this.module)) return -errno.ENODEV;
    const vm = new Vm(this.nextVmId++, new Mutex(this.kernel, 'kvm.lock', 'kvm'));
    const file = this.kernel.anonFile('kvm-vm', this.vmFops, vm);
    if (file === undefined) {
      // anon_inode_getfile: -ENOENT when fops->owner is going away [fs/anon_inodes.c].
      this.kernel.modulePut(this.module);
      return -errno.ENOENT;
    }
    this.vms.push(vm);
    return current.installFd(file);
  }

  /** kvm_get_kvm_safe: a reference on a VM that is not already going away (refcount_inc_not_zero). */
  getVmSafe(vm: Vm): boolean {
    this.kernel.touch(vm);
    if (vm.users === 0) return false;
    vm.users += 1;
    return true;
  }

  /** kvm_put_kvm: the last user destroys the VM, its devices first (kvm_destroy_vm). */
  putVm(vm: Vm): void {
    this.kernel.touch(vm);
    vm.users -= 1;
    if (vm.users > 0) return;
    for (const dev of [...vm.devices].reverse()) {
      vm.devices.splice(vm.devices.indexOf(dev), 1);
      dev.ops.destroy?.(dev);
      // The ops' code has run for the last time: only now may their module go.
      this.kernel.modulePut(dev.pinnedOwner);
    }
    this.vms.splice(this.vms.indexOf(vm), 1);
    this.kernel.kfree(vm);
    this.kernel.modulePut(this.module);
  }

  /** kvm_ioctl_create_device. */
  private createDevice(vm: Vm, type: number, flags: number, current: Process): number {
    this.kernel.touch(vm);
    const found = this.deviceOps.lookup(type);
    if (found === undefined) return -errno.ENODEV;
    const { ops, pinned } = found;
    if ((flags & KVM.CREATE_DEVICE_TEST) !== 0) {
      this.kernel.modulePut(pinned);
      return 0;
    }
    const dev = new KvmDevice(ops, vm);
    dev.pinnedOwner = pinned;
    vm.lock.lock();
    const created = ops.create(dev, type);
    if (created < 0) {
      vm.lock.unlock();
      this.kernel.modulePut(pinned);
      return created;
    }
    vm.devices.push(dev);
    vm.lock.unlock();
    ops.init?.(dev);
    vm.users += 1; // kvm_get_kvm: the device fd keeps the VM alive.
    const file = this.kernel.anonFile(ops.name, this.deviceFops, dev);
    if (file === undefined) {
      vm.users -= 1;
      vm.devices.splice(vm.devices.indexOf(dev), 1);
      (ops.release ?? ops.destroy)?.call(ops, dev);
      this.kernel.modulePut(pinned);
      return -errno.ENOENT; // anon_inode_getfd's error, as kvm_ioctl_create_device returns it
    }
    return current.installFd(file);
  }

  /**
   * kvm_device_release: ops with `release` let go of the device now, under kvm->lock; the VM loses
   * a user either way.
   */
  private releaseDevice(dev: KvmDevice): void {
    const vm = dev.kvm;
    const release = dev.ops.release;
    if (release !== undefined) {
      vm.lock.with(() => {
        vm.devices.splice(vm.devices.indexOf(dev), 1);
        release.call(dev.ops, dev);
      });
      this.kernel.modulePut(dev.pinnedOwner);
    }
    this.putVm(vm);
  }

  /** kvm_device_ioctl: attribute accessors the ops lack are -EPERM; other ioctls go to ops.ioctl or are -ENOTTY. */
  private deviceIoctl(dev: KvmDevice, request: number, arg: IoctlArg, current: Process): number {
    this.kernel.touch(dev);
    const ops = dev.ops;
    switch (request) {
      case KVM.SET_DEVICE_ATTR:
        return this.deviceAttr(dev, ops.set_attr, arg, current);
      case KVM.GET_DEVICE_ATTR:
        return this.deviceAttr(dev, ops.get_attr, arg, current);
      case KVM.HAS_DEVICE_ATTR:
        return this.deviceAttr(dev, ops.has_attr, arg, current);
      default:
        return ops.ioctl === undefined
          ? -errno.ENOTTY
          : ops.ioctl(dev, request, typeof arg === 'number' ? arg : 0);
    }
  }

  /** kvm_device_ioctl_attr. */
  private deviceAttr(dev: KvmDevice, accessor: AttrAccessor, arg: IoctlArg, current: Process): number {
    if (accessor === undefined) return -errno.EPERM;
    // copy_from_user(&attr, (void __user *)arg, sizeof(attr)) fails with -EFAULT.
    // Its three fields read by name, not through userStruct's loop: this copy is on the hot path.
    if (typeof arg !== 'object' || arg === null) return -errno.EFAULT;
    const { group, attr: which, addr } = arg;
    if (!isInteger(group) || !isInteger(which) || !isInteger(addr)) return -errno.EFAULT;
    const attr: KvmDeviceAttr = { group, attr: which, addr };
    return accessor.call(dev.ops, dev, attr, current);
  }
}

/**
 * The model's copy_from_user of an ioctl struct: the fields, or undefined where Linux's copy would
 * fault (no struct at all, null, or a field that is missing or not an integer). A JavaScript caller
 * can pass anything; the syscall surface answers with an errno, never a TypeError.
 */
function userStruct(
  arg: IoctlArg | null,
  required: readonly string[],
  optional: readonly string[],
): Readonly<Record<string, number | undefined>> | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  // Loops, not every() with closures: KVM_SET_DEVICE_ATTR's copy runs on the benchmarks' hot path.
  for (const field of required) if (!isInteger(arg[field])) return undefined;
  for (const field of optional) {
    const value = arg[field];
    if (value !== undefined && !isInteger(value)) return undefined;
  }
  return arg;
}

function isInteger(value: unknown): value is number {
  // Stryker disable next-line ConditionalExpression: Number.isInteger is false for anything but a number; the typeof is there for the type guard
  return typeof value === 'number' && Number.isInteger(value);
}
