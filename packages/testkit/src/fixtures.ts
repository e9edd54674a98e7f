import assert from 'node:assert/strict';
import { KVM, type Process, type System, VFIO } from '@coupling-lab/lab';
import { expectOk, expectResult } from './assertions.js';

/**
 * QEMU-like set-up steps for tests of any package: each performs the syscalls QEMU makes
 * (hw/vfio/common.c, hw/vfio/pci.c, accel/kvm) and asserts they succeed, with a message naming
 * the step that did not.
 */

/** SPEC 12's default machine: group 26 is coherent, group 27 is not. */
export const COHERENT_GROUP = 26;
export const NONCOHERENT_GROUP = 27;

/** The PCI device in each default IOMMU group (the name VFIO_GROUP_GET_DEVICE_FD takes). */
export const DEVICE_IN_GROUP: Readonly<Record<number, string>> = { 26: '0000:01:00.0', 27: '0000:02:00.0' };

export function groupPath(id: number): string {
  return `/dev/vfio/${id}`;
}

export function openGroup(p: Process, id: number): number {
  return expectOk(p.open(groupPath(id)), `open(${groupPath(id)})`);
}

export function openContainer(p: Process): number {
  return expectOk(p.open('/dev/vfio/vfio'), 'open(/dev/vfio/vfio)');
}

export function setContainer(p: Process, group: number, container: number): void {
  expectResult(
    p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)),
    0,
    `VFIO_GROUP_SET_CONTAINER(${group}, ${container})`,
  );
}

export function setIommu(p: Process, container: number): void {
  expectResult(
    p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
    0,
    `VFIO_SET_IOMMU(${container}, TYPE1v2)`,
  );
}

/** A group opened and attached to a container (a new one unless given), with the type1 IOMMU set on a new container. */
export function attachGroup(
  p: Process,
  id: number,
  container?: number,
): { group: number; container: number } {
  const group = openGroup(p, id);
  const target = container ?? openContainer(p);
  setContainer(p, group, target);
  if (container === undefined) setIommu(p, target);
  return { group, container: target };
}

/** /dev/kvm opened and KVM_CREATE_VM: the /dev/kvm fd and the VM fd. */
export function createVm(p: Process): { kvm: number; vm: number } {
  const kvm = expectOk(p.open('/dev/kvm'), 'open(/dev/kvm)');
  const vm = expectOk(p.ioctl(kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
  return { kvm, vm };
}

/** KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO) on a VM: the device fd. */
export function createVfioDevice(p: Process, vm: number): number {
  return expectOk(
    p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }),
    'KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO)',
  );
}

/** The `struct kvm_device_attr` of a kvm-vfio group operation on `fd` (its address points at the fd). */
export function kvmVfioAttr(
  p: Process,
  attr: number,
  fd: number,
): { group: number; attr: number; addr: number } {
  return { group: KVM.DEV_VFIO_GROUP, attr, addr: p.userInt32(fd) };
}

/** KVM_DEV_VFIO_GROUP_ADD: the raw result. */
export function groupAdd(p: Process, device: number, group: number): number {
  return p.ioctl(device, KVM.SET_DEVICE_ATTR, kvmVfioAttr(p, KVM.DEV_VFIO_GROUP_ADD, group));
}

/** KVM_DEV_VFIO_GROUP_DEL: the raw result. */
export function groupDel(p: Process, device: number, group: number): number {
  return p.ioctl(device, KVM.SET_DEVICE_ATTR, kvmVfioAttr(p, KVM.DEV_VFIO_GROUP_DEL, group));
}

export interface QemuOptions {
  /** IOMMU groups to open and attach, in order (default: [26]). */
  readonly groups?: readonly number[];
  /** One container for every group (QEMU's default when they share an address space) or one each (default: 'shared'). */
  readonly containers?: 'shared' | 'separate';
  /** GROUP_ADD every group to the kvm-vfio device (default: true). */
  readonly add?: boolean;
  /** The process name (default: 'qemu'). */
  readonly name?: string;
}

/** What `qemu()` set up: the process and its fds. */
export interface Qemu {
  readonly process: Process;
  /** IOMMU group id -> its group fd. */
  readonly groups: ReadonlyMap<number, number>;
  /** IOMMU group id -> the fd of the container it is attached to. */
  readonly containers: ReadonlyMap<number, number>;
  readonly kvm: number;
  readonly vm: number;
  readonly device: number;
  /** The fd of group `id` (throws if it was not set up). */
  group(id: number): number;
  /** The fd of the container of group `id`. */
  container(id: number): number;
}

/**
 * QEMU starting a VM with VFIO groups, as it does it: open each group, open the container,
 * VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU, KVM_CREATE_VM, KVM_CREATE_DEVICE(VFIO), then
 * KVM_DEV_VFIO_GROUP_ADD for each group. Modules must be loaded (`sys.modprobeAll()`).
 */
export function qemu(sys: System, options: QemuOptions = {}): Qemu {
  const ids = options.groups ?? [COHERENT_GROUP];
  const p = sys.spawn(options.name ?? 'qemu');
  const groups = new Map<number, number>();
  const containers = new Map<number, number>();
  let shared: number | undefined;
  for (const id of ids) {
    const group = openGroup(p, id);
    const fresh = options.containers === 'separate' || shared === undefined;
    const container = fresh ? openContainer(p) : (shared as number);
    setContainer(p, group, container);
    if (fresh) setIommu(p, container);
    shared ??= container;
    groups.set(id, group);
    containers.set(id, container);
  }
  const { kvm, vm } = createVm(p);
  const device = createVfioDevice(p, vm);
  if (options.add ?? true) {
    for (const [id, group] of groups)
      expectResult(groupAdd(p, device, group), 0, `KVM_DEV_VFIO_GROUP_ADD(group ${id})`);
  }
  const lookup = (map: ReadonlyMap<number, number>, id: number, what: string): number => {
    const fd = map.get(id);
    assert.ok(fd !== undefined, `qemu(): group ${id} was not set up, so it has no ${what}`);
    return fd;
  };
  return {
    process: p,
    groups,
    containers,
    kvm,
    vm,
    device,
    group: (id) => lookup(groups, id, 'group fd'),
    container: (id) => lookup(containers, id, 'container fd'),
  };
}
