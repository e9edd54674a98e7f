import type { Process } from '@coupling-lab/kernel';
import { KVM } from '@coupling-lab/kvm';
import { VFIO } from '@coupling-lab/vfio';
import type { System } from './system.js';

/** The fds of a QEMU-like process that has set up VFIO and a VM with a kvm-vfio device. */
export interface QemuFixture {
  readonly qemu: Process;
  readonly container: number;
  /** Group fds by IOMMU group id (26 coherent, 27 not, on the default machine). */
  readonly groups: ReadonlyMap<number, number>;
  readonly kvm: number;
  readonly vm: number;
  readonly device: number;
}

/** Fails loudly: a fixture step that does not succeed means the measurement would be meaningless. */
export function must(result: number, what: string): number {
  if (result < 0) throw new Error(`${what} failed with ${result}`);
  return result;
}

/**
 * Loads every module and does what QEMU does before its first GROUP_ADD: opens each group and
 * the container, attaches the groups, sets the IOMMU, creates a VM and its kvm-vfio device.
 */
export function qemuFixture(sys: System, groupIds: readonly number[] = [26, 27]): QemuFixture {
  must(sys.modprobeAll(), 'modprobeAll');
  const qemu = sys.spawn('qemu');
  const container = must(qemu.open('/dev/vfio/vfio'), 'open /dev/vfio/vfio');
  const groups = new Map<number, number>();
  for (const id of groupIds) {
    const fd = must(qemu.open(`/dev/vfio/${id}`), `open /dev/vfio/${id}`);
    must(qemu.ioctl(fd, VFIO.GROUP_SET_CONTAINER, qemu.userInt32(container)), 'VFIO_GROUP_SET_CONTAINER');
    groups.set(id, fd);
  }
  must(qemu.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'VFIO_SET_IOMMU');
  const kvm = must(qemu.open('/dev/kvm'), 'open /dev/kvm');
  const vm = must(qemu.ioctl(kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
  const device = must(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'KVM_CREATE_DEVICE');
  return { qemu, container, groups, kvm, vm, device };
}

/** The KVM_SET_DEVICE_ATTR argument for GROUP_ADD or GROUP_DEL of a group fd. */
export function groupAttr(
  qemu: Process,
  attr: number,
  groupFd: number,
): { group: number; attr: number; addr: number } {
  return { group: KVM.DEV_VFIO_GROUP, attr, addr: qemu.userInt32(groupFd) };
}

export function groupFd(fixture: QemuFixture, id: number): number {
  const fd = fixture.groups.get(id);
  if (fd === undefined) throw new Error(`the fixture has no group ${id}`);
  return fd;
}
