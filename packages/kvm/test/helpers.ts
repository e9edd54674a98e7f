import {
  errno,
  type File,
  Kernel,
  type KernelOptions,
  type ModuleImage,
  Mutex,
  type Process,
} from '@coupling-lab/kernel';
import {
  KVM,
  type KvmDevice,
  kvmImage,
  type KvmImageOptions,
  kvmState,
  kvmVfioOps,
  type KvmVfioOptions,
  type KvmVfioPort,
  type Vm,
} from '@coupling-lab/kvm';

export const FAKE_GROUP = '/dev/fake-group/';

/** A tiny stand-in for vfio: the module `fake_vfio` owning one device node per fake group. */
export function fakeVfioImage(ids: readonly number[] = [1, 2, 3]): ModuleImage {
  return {
    name: 'fake_vfio',
    description: 'fake VFIO group nodes',
    imports: [],
    exports: {},
    load({ kernel, module }) {
      return {
        symbols: {},
        init() {
          for (const id of ids)
            kernel.registerChrdev(`${FAKE_GROUP}${id}`, { name: 'fake-group', owner: module });
          return 0;
        },
        exit() {
          for (const id of ids) kernel.unregisterChrdev(`${FAKE_GROUP}${id}`);
        },
      };
    },
  };
}

/** What the fake port keeps per added group: the group id and the file, which it holds. */
export interface FakeGroup {
  readonly id: number;
  readonly file: File;
}

/** Is the kvm-vfio device's own lock (kv->lock) held on any device of `vm`? */
function kvmVfioLockHeld(vm: Vm): boolean {
  return vm.devices.some((dev: KvmDevice) => {
    const kv: unknown = dev.private;
    return (
      typeof kv === 'object' &&
      kv !== null &&
      'lock' in kv &&
      kv.lock instanceof Mutex &&
      kv.lock.holder !== null
    );
  });
}

/**
 * A test double for the KVM-side port: accepts files under /dev/fake-group/, holds each one it
 * accepts, and records every call. Groups in `nonCoherent` report no enforced coherency.
 */
export class FakePort implements KvmVfioPort<FakeGroup> {
  readonly calls: string[] = [];
  readonly nonCoherent = new Set<number>();
  /** When set, acquire refuses every group file with this (negative) errno. */
  refusal: number | null = null;
  /** For each set_kvm call with a VM: was the device's lock held? */
  readonly lockHeldAtSetKvm: boolean[] = [];
  /** Groups acquired and not yet released. */
  held = 0;
  private readonly vmOf = new Map<number, Vm>();

  constructor(private readonly kernel: Kernel) {}

  acquire(file: File): FakeGroup | number {
    if (!file.path.startsWith(FAKE_GROUP)) return -errno.EINVAL;
    if (this.refusal !== null) return this.refusal;
    this.kernel.fget(file);
    const group = { id: Number(file.path.slice(FAKE_GROUP.length)), file };
    this.held += 1;
    this.calls.push(`acquire ${group.id}`);
    return group;
  }

  release(group: FakeGroup): void {
    this.calls.push(`release ${group.id}`);
    this.held -= 1;
    this.kernel.fput(group.file);
  }

  same(a: FakeGroup, b: FakeGroup): boolean {
    return a.id === b.id;
  }

  matchesFile(group: FakeGroup, file: File): boolean {
    return file.path === group.file.path;
  }

  isCoherent(group: FakeGroup): boolean {
    return !this.nonCoherent.has(group.id);
  }

  setKvm(group: FakeGroup, vm: Vm | null): void {
    this.calls.push(`set_kvm ${group.id} ${vm === null ? 'null' : `vm${vm.id}`}`);
    const target = vm ?? this.vmOf.get(group.id);
    if (vm !== null) {
      this.vmOf.set(group.id, vm);
      this.lockHeldAtSetKvm.push(kvmVfioLockHeld(vm));
    } else if (target !== undefined) {
      this.lockHeldAtSetKvm.push(kvmVfioLockHeld(target));
    }
  }
}

export interface Rig {
  readonly kernel: Kernel;
  readonly port: FakePort;
}

export interface RigOptions {
  readonly kernel?: KernelOptions;
  readonly kvm?: Omit<KvmImageOptions, 'builtinVfioDevice'>;
  readonly kvmVfio?: KvmVfioOptions;
  /** Build the kvm-vfio device into kvm (default true). */
  readonly builtin?: boolean;
}

/** A kernel with fake_vfio and kvm (the kvm-vfio device built in over a FakePort) loaded. */
export function rig(options: RigOptions = {}): Rig {
  const kernel = new Kernel(options.kernel ?? {});
  const port = new FakePort(kernel);
  kernel.registerImage(fakeVfioImage());
  kernel.registerImage(
    kvmImage({
      ...options.kvm,
      ...(options.builtin === false
        ? {}
        : { builtinVfioDevice: ({ kernel: k }) => kvmVfioOps(k, port, options.kvmVfio ?? {}) }),
    }),
  );
  ok(kernel.modprobe('fake_vfio'), 'modprobe fake_vfio');
  ok(kernel.modprobe('kvm'), 'modprobe kvm');
  return { kernel, port };
}

/** A setup step that must succeed for the test to mean anything. */
export function ok(result: number, what: string): number {
  if (result < 0) throw new Error(`${what} failed with ${result}`);
  return result;
}

export interface Vmm {
  readonly p: Process;
  readonly kvm: number;
  readonly vm: number;
  readonly device: number;
  /** Fake group fds by id. */
  readonly groups: ReadonlyMap<number, number>;
}

/** A QEMU-like process: /dev/kvm, a VM with a kvm-vfio device, and the fake groups `ids` open. */
export function vmm(kernel: Kernel, ids: readonly number[] = [1, 2, 3]): Vmm {
  const p = kernel.spawn('qemu');
  const kvm = ok(p.open('/dev/kvm'), 'open /dev/kvm');
  const vm = ok(p.ioctl(kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
  const device = ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'KVM_CREATE_DEVICE');
  const groups = new Map<number, number>();
  for (const id of ids) groups.set(id, ok(p.open(`${FAKE_GROUP}${id}`), `open group ${id}`));
  return { p, kvm, vm, device, groups };
}

export function groupFd(v: Vmm, id: number): number {
  const fd = v.groups.get(id);
  if (fd === undefined) throw new Error(`group ${id} is not open`);
  return fd;
}

/** The attribute struct for KVM_DEV_VFIO_GROUP `attr` naming `fd`. */
export function groupAttr(
  p: Process,
  attr: number,
  fd: number,
): { group: number; attr: number; addr: number } {
  return { group: KVM.DEV_VFIO_GROUP, attr, addr: p.userInt32(fd) };
}

export function add(v: Vmm, id: number): number {
  return v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, groupFd(v, id)));
}

export function del(v: Vmm, id: number): number {
  return v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_DEL, groupFd(v, id)));
}

/** The one VM of the kernel. */
export function onlyVm(kernel: Kernel): Vm {
  const vms = kvmState(kernel)?.vms ?? [];
  const [vm] = vms;
  if (vms.length !== 1 || vm === undefined) throw new Error(`expected one VM, found ${vms.length}`);
  return vm;
}

export function refcount(kernel: Kernel, name: string): number | undefined {
  return kernel.findModule(name)?.refcount;
}
