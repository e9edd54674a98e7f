import { IOMMUFD, KVM, must, type Process, type System, VFIO } from '@coupling-lab/lab';
import type { Step } from '../core/index.js';
import type { LabScenario, LabWorld } from '../lab-scenario.js';
import { closeFd } from './steps.js';

/** The cdev of group 26's device on the default machine. */
const CDEV = '/dev/vfio/devices/vfio0';

/** QEMU on the iommufd path: the device's cdev bound to an iommufd and attached to an IOAS, a VM and its kvm-vfio device. */
export interface CdevWorld {
  readonly qemu: Process;
  readonly iommufd: number;
  readonly cdev: number;
  readonly vm: number;
  readonly device: number;
}

function qemuWithCdev(sys: System): CdevWorld {
  must(sys.modprobeAll(), 'modprobeAll');
  const qemu = sys.spawn('qemu');
  const iommufd = must(qemu.open('/dev/iommu'), 'open /dev/iommu');
  const ioas = must(qemu.ioctl(iommufd, IOMMUFD.IOAS_ALLOC), 'IOMMU_IOAS_ALLOC');
  const cdev = must(qemu.open(CDEV), `open ${CDEV}`);
  must(qemu.ioctl(cdev, VFIO.DEVICE_BIND_IOMMUFD, qemu.userInt32(iommufd)), 'VFIO_DEVICE_BIND_IOMMUFD');
  must(
    qemu.ioctl(cdev, VFIO.DEVICE_ATTACH_IOMMUFD_PT, qemu.userInt32(ioas)),
    'VFIO_DEVICE_ATTACH_IOMMUFD_PT',
  );
  const kvm = must(qemu.open('/dev/kvm'), 'open /dev/kvm');
  const vm = must(qemu.ioctl(kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
  const device = must(qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'KVM_CREATE_DEVICE');
  return { qemu, iommufd, cdev, vm, device };
}

const fileAdd: Step<LabWorld<CdevWorld>> = {
  label: `ioctl(device, SET_DEVICE_ATTR, FILE_ADD ${CDEV})`,
  run: ({ state }) =>
    state.qemu.ioctl(state.device, KVM.SET_DEVICE_ATTR, {
      group: KVM.DEV_VFIO_FILE,
      attr: KVM.DEV_VFIO_FILE_ADD,
      addr: state.qemu.userInt32(state.cdev),
    }),
};

export const closeDeviceVsFileAdd: LabScenario<CdevWorld> = {
  name: 'close-device-vs-file-add',
  description:
    'QEMU on the iommufd path (v6.6): one thread adds the bound device fd of group 26 to the VM with ' +
    "KVM_DEV_VFIO_FILE_ADD while another closes it, then the VM's fds close. FILE_ADD either finds the fd gone " +
    '(-EBADF) or takes its own reference on the file (fdget, then get_file in kvm_vfio_file_add), so the device ' +
    'stays bound to its iommufd until the kvm-vfio device lets it go. get-ops/no-file-ref keeps a bare pointer to ' +
    'the device file without get_file: once the close frees it, the VM teardown calls set_kvm through the device ' +
    'ops table with it (use-after-free of the file).',
  invariant:
    'No violation: the device file is never used after it is freed, the device stays bound while KVM holds it, ' +
    'and every reference (the driver, the iommufd file, the VM) is back to zero after teardown.',
  appliesTo: () => true,
  notOn: { 'v5.17': "VFIO device cdevs and iommufd arrived in v6.6 (Yi Liu's cdev series)" },
  setup: qemuWithCdev,
  threads: [
    [
      fileAdd,
      closeFd('device', (state: CdevWorld) => state.device),
      closeFd('vm', (state: CdevWorld) => state.vm),
    ],
    [
      closeFd(CDEV, (state: CdevWorld) => state.cdev),
      closeFd('/dev/iommu', (state: CdevWorld) => state.iommufd),
    ],
  ],
};
