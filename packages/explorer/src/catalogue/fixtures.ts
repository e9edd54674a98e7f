import {
  groupAttr,
  groupFd,
  KVM,
  must,
  type Process,
  qemuFixture,
  type QemuFixture,
  type System,
} from '@coupling-lab/lab';

/** The group the catalogue races on: 26, coherent, on the default machine. */
export const GROUP = 26;

/** QEMU with the group attached to its container (IOMMU set), a VM and its kvm-vfio device: ready for GROUP_ADD. */
export function qemuReady(sys: System): QemuFixture {
  return qemuFixture(sys, [GROUP]);
}

/** As qemuReady, with the group already added to the VM. */
export function qemuWithGroupAdded(sys: System): QemuFixture {
  const fixture = qemuReady(sys);
  must(groupIoctl(fixture, KVM.DEV_VFIO_GROUP_ADD), 'KVM_DEV_VFIO_GROUP_ADD');
  return fixture;
}

/** KVM_SET_DEVICE_ATTR on the kvm-vfio device, GROUP_ADD or GROUP_DEL of the group's fd. */
export function groupIoctl(fixture: QemuFixture, attr: number): number {
  const { qemu } = fixture;
  return qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, attr, groupFd(fixture, GROUP)));
}

/** A QEMU process with a VM and no device yet; `device` is filled in by the step that creates one. */
export interface VmOnly {
  readonly qemu: Process;
  readonly vm: number;
  /** The kvm-vfio device fd, or the negative errno KVM_CREATE_DEVICE gave (closing it is then -EBADF, as in Linux). */
  device: number;
}

/** Every module loaded; QEMU opens /dev/kvm and creates a VM. */
export function qemuWithVm(sys: System): VmOnly {
  must(sys.modprobeAll(), 'modprobeAll');
  const qemu = sys.spawn('qemu');
  const kvm = must(qemu.open('/dev/kvm'), 'open /dev/kvm');
  const vm = must(qemu.ioctl(kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
  return { qemu, vm, device: -1 };
}
