import { groupAttr, groupFd, KVM, must, qemuFixture, type System, VFIO } from '@coupling-lab/lab';

import type { TimedOperation } from './timing/index.js';

/** The operations costed and timed for every strategy (SPEC 10), named as report.json names them. */
export const operationNames = [
  'GROUP_ADD',
  'GROUP_DEL',
  'DEVICE_CREATE',
  'DEVICE_DESTROY',
  'VM_LIFE',
] as const;
export type OperationName = (typeof operationNames)[number];

/** The non-coherent group: adding or deleting it also moves the VM's noncoherent-DMA registration. */
const GROUP = 27;

/**
 * One operation on a booted system, repeatable: `prepare` and `restore` (untimed, uncounted) put
 * the system back where `run` expects it.
 */
export function operation(sys: System, name: OperationName): TimedOperation {
  if (name === 'VM_LIFE') {
    must(sys.modprobeAll(), 'modprobeAll');
    return { run: () => vmLife(sys) };
  }
  const fixture = qemuFixture(sys);
  const { qemu } = fixture;
  const add = groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, GROUP));
  const del = groupAttr(qemu, KVM.DEV_VFIO_GROUP_DEL, groupFd(fixture, GROUP));
  switch (name) {
    case 'GROUP_ADD':
      return {
        run: () => must(qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, add), 'GROUP_ADD'),
        restore: () => must(qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, del), 'GROUP_DEL'),
      };
    case 'GROUP_DEL':
      return {
        prepare: () => must(qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, add), 'GROUP_ADD'),
        run: () => must(qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, del), 'GROUP_DEL'),
      };
    case 'DEVICE_CREATE': {
      // kvm-vfio allows one device per VM and frees it only with the VM: each run gets a fresh VM.
      let vm = -1;
      let device = -1;
      return {
        prepare: () => {
          vm = must(qemu.ioctl(fixture.kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
        },
        run: () => {
          device = must(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'KVM_CREATE_DEVICE');
          return device;
        },
        restore: () => {
          qemu.close(device);
          qemu.close(vm);
        },
      };
    }
    case 'DEVICE_DESTROY': {
      // The device is destroyed with its VM, once the VM fd and the device fd are both closed;
      // its group goes back to VFIO then (set_kvm(NULL) and the release of what KVM held).
      let vm = -1;
      let device = -1;
      return {
        prepare: () => {
          vm = must(qemu.ioctl(fixture.kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
          device = must(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'KVM_CREATE_DEVICE');
          must(qemu.ioctl(device, KVM.SET_DEVICE_ATTR, add), 'GROUP_ADD');
        },
        run: () => qemu.close(device) + qemu.close(vm),
      };
    }
  }
}

/** A whole QEMU VM life with one assigned device, from opening the group to closing everything. */
function vmLife(sys: System): number {
  const qemu = sys.spawn('qemu-vm-life');
  const group = must(qemu.open('/dev/vfio/26'), 'open group');
  qemu.ioctl(group, VFIO.GROUP_GET_STATUS);
  const container = must(qemu.open('/dev/vfio/vfio'), 'open container');
  qemu.ioctl(container, VFIO.GET_API_VERSION);
  qemu.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.TYPE1v2_IOMMU);
  must(qemu.ioctl(group, VFIO.GROUP_SET_CONTAINER, qemu.userInt32(container)), 'SET_CONTAINER');
  must(qemu.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const vm = must(qemu.ioctl(must(qemu.open('/dev/kvm'), 'open /dev/kvm'), KVM.CREATE_VM), 'CREATE_VM');
  const device = must(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'CREATE_DEVICE');
  must(qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, group)), 'GROUP_ADD');
  const pciDevice = must(
    qemu.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, qemu.userString('0000:01:00.0')),
    'GET_DEVICE_FD',
  );
  must(qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_DEL, group)), 'GROUP_DEL');
  qemu.close(pciDevice);
  return qemu.exit();
}
