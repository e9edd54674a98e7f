/**
 * The fuzzer's commands as plain data. Fds are named symbolically (the n-th open fd of a kind in
 * a process), so one step means the same thing on every strategy's system and a shrunk sequence
 * stays readable. Each step is one syscall, except the QEMU-like macros `attach` and `vm`, which
 * keep counterexamples short.
 */

/** What an fd was opened as (tracked by the fuzzer from how it was obtained). */
export type FdKind =
  | 'container'
  | 'group'
  | 'kvm'
  | 'vm'
  | 'kvm-device'
  | 'vfio-device'
  /** /dev/iommu and a device's cdev (/dev/vfio/devices/vfioN), on kernels with device files. */
  | 'iommufd'
  | 'vfio-cdev';

/** An fd operand: the `index`-th (modulo their number) open fd of `kind` (or of any kind), or a raw fd that is not open. */
export type FdRef =
  { readonly pick: FdKind | 'any'; readonly index: number } | { readonly raw: number | 'free' };

/** The fuzzed module operations: only those whose results every strategy shares (SPEC 8). */
export type FuzzModule = 'vfio_pci';

export type Step =
  | { readonly op: 'open'; readonly proc: number; readonly path: string }
  | { readonly op: 'close'; readonly proc: number; readonly fd: FdRef }
  /** QEMU's VFIO set-up: open the group, open a container (or reuse one), SET_CONTAINER, SET_IOMMU. */
  | { readonly op: 'attach'; readonly proc: number; readonly group: number; readonly reuse: boolean }
  /**
   * QEMU's iommufd set-up for the device of `group`: open /dev/iommu (or reuse one), IOMMU_IOAS_ALLOC,
   * open the device's cdev, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT to the IOAS.
   */
  | { readonly op: 'cdev'; readonly proc: number; readonly group: number; readonly reuse: boolean }
  | { readonly op: 'bind'; readonly proc: number; readonly device: FdRef; readonly iommufd: FdRef }
  /** VFIO_DEVICE_ATTACH_IOMMUFD_PT to object `pt` (an IOAS or HWPT id, or none), or DETACH with `pt` 0. */
  | { readonly op: 'attachPt'; readonly proc: number; readonly device: FdRef; readonly pt: number }
  /** QEMU's KVM set-up: open /dev/kvm (or reuse it), KVM_CREATE_VM, and KVM_CREATE_DEVICE(VFIO) if `device`. */
  | { readonly op: 'vm'; readonly proc: number; readonly device: boolean }
  | { readonly op: 'setContainer'; readonly proc: number; readonly group: FdRef; readonly container: FdRef }
  | { readonly op: 'unsetContainer'; readonly proc: number; readonly group: FdRef }
  | { readonly op: 'setIommu'; readonly proc: number; readonly container: FdRef; readonly type: number }
  | {
      readonly op: 'checkExtension';
      readonly proc: number;
      readonly container: FdRef;
      readonly extension: number;
    }
  | { readonly op: 'groupStatus'; readonly proc: number; readonly group: FdRef }
  | { readonly op: 'getDeviceFd'; readonly proc: number; readonly group: FdRef; readonly device: string }
  | { readonly op: 'createVm'; readonly proc: number; readonly kvm: FdRef }
  | {
      readonly op: 'createDevice';
      readonly proc: number;
      readonly vm: FdRef;
      readonly type: number;
      readonly test: boolean;
    }
  | { readonly op: 'add'; readonly proc: number; readonly device: FdRef; readonly fd: FdRef }
  | { readonly op: 'del'; readonly proc: number; readonly device: FdRef; readonly fd: FdRef }
  | {
      readonly op: 'attr';
      readonly proc: number;
      readonly device: FdRef;
      readonly request: 'set' | 'get' | 'has';
      readonly group: number;
      readonly attr: number;
      readonly fd: FdRef;
    }
  /** A pointer argument no userInt32/userString handed out (copy_from_user faults). */
  | {
      readonly op: 'badAddress';
      readonly proc: number;
      readonly fd: FdRef;
      readonly call: 'add' | 'del' | 'setContainer' | 'getDeviceFd';
    }
  | { readonly op: 'ioctl'; readonly proc: number; readonly fd: FdRef; readonly request: number }
  | { readonly op: 'exit'; readonly proc: number }
  | { readonly op: 'rmmod'; readonly module: FuzzModule }
  | { readonly op: 'modprobe'; readonly module: FuzzModule };

function formatRef(ref: FdRef): string {
  if ('raw' in ref) return ref.raw === 'free' ? 'fd:not-open' : `fd:${ref.raw}`;
  return `${ref.pick}#${ref.index}`;
}

/** One line per step, as it appears in a counterexample. */
export function formatStep(step: Step): string {
  switch (step.op) {
    case 'rmmod':
    case 'modprobe':
      return `${step.op} ${step.module}`;
    case 'exit':
      return `p${step.proc}.exit()`;
    case 'open':
      return `p${step.proc}.open(${step.path})`;
    case 'attach':
      return `p${step.proc}.attach(group ${step.group}${step.reuse ? ', reusing a container' : ''})`;
    case 'cdev':
      return `p${step.proc}.cdev(device of group ${step.group}${step.reuse ? ', reusing an iommufd' : ''})`;
    case 'vm':
      return `p${step.proc}.vm(${step.device ? 'with a kvm-vfio device' : 'no device'})`;
    default: {
      const { op, proc, ...operands } = step;
      const args = Object.entries(operands).map(([key, value]) =>
        typeof value === 'object' && value !== null
          ? `${key}=${formatRef(value as FdRef)}`
          : `${key}=${String(value)}`,
      );
      return `p${proc}.${op}(${args.join(', ')})`;
    }
  }
}
