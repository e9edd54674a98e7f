import {
  type File,
  Kernel,
  type KernelOptions,
  isKernelViolation,
  type KernelViolation,
  type Process,
} from '@coupling-lab/kernel';
import {
  defaultDevices,
  externalUserExports,
  fileExports,
  getOpsExports,
  type PciDeviceConfig,
  VFIO,
  type VfioGroup,
  vfioImage,
  vfioPciImage,
  vfioState,
} from '@coupling-lab/vfio';

/** A kernel with vfio (every export plan) and vfio_pci for `devices` registered, and vfio_pci loaded. */
export function vfioKernel(
  options: KernelOptions = {},
  devices: readonly PciDeviceConfig[] = defaultDevices,
): Kernel {
  const kernel = new Kernel(options);
  kernel.registerImage(vfioImage([externalUserExports, fileExports, getOpsExports]));
  kernel.registerImage(vfioPciImage(devices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  return kernel;
}

/** A setup step that must succeed for the test to mean anything. */
export function ok(result: number, what: string): number {
  if (result < 0) throw new Error(`${what} failed with ${result}`);
  return result;
}

export function refcount(kernel: Kernel, name: string): number | undefined {
  return kernel.findModule(name)?.refcount;
}

/** VFIO's group object for `id` (what debugfs would show). */
export function groupOf(kernel: Kernel, id: number): VfioGroup {
  const group = vfioState(kernel)?.groups.get(id);
  if (group === undefined) throw new Error(`vfio has no group ${id}`);
  return group;
}

/** The file behind a process's fd. */
export function fileOf(p: Process, fd: number): File {
  const file = p.fds.get(fd);
  if (file === undefined) throw new Error(`fd ${fd} is not open`);
  return file;
}

export interface Attached {
  readonly p: Process;
  readonly container: number;
  /** Group fds by IOMMU group id. */
  readonly groups: ReadonlyMap<number, number>;
}

/** A process that opened the container and attached `ids` to it, and set the type1v2 IOMMU unless told not to. */
export function attach(
  kernel: Kernel,
  ids: readonly number[] = [26],
  options: { iommu?: boolean } = {},
): Attached {
  const p = kernel.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open /dev/vfio/vfio');
  const groups = new Map<number, number>();
  for (const id of ids) {
    const fd = ok(p.open(`/dev/vfio/${id}`), `open /dev/vfio/${id}`);
    ok(p.ioctl(fd, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'VFIO_GROUP_SET_CONTAINER');
    groups.set(id, fd);
  }
  if (options.iommu ?? true) ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'VFIO_SET_IOMMU');
  return { p, container, groups };
}

export function groupFd(attached: Attached, id: number): number {
  const fd = attached.groups.get(id);
  if (fd === undefined) throw new Error(`group ${id} was not attached`);
  return fd;
}

/** The violation `action` raises; fails the test if it raises none. */
export function violationFrom(action: () => unknown): KernelViolation {
  try {
    action();
  } catch (error) {
    if (isKernelViolation(error)) return error;
    throw error;
  }
  throw new Error('expected a kernel violation, none was raised');
}
