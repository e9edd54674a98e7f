import { type QemuFixture, type System, VFIO, groupFd } from '@coupling-lab/lab';
import type { Step } from '../core/index.js';
import type { LabScenario, LabWorld } from '../lab-scenario.js';
import { GROUP, qemuWithGroupAdded } from './fixtures.js';
import { closeContainer, closeDevice, closeFd, closeGroup, closeVm, rmmod } from './steps.js';

/** QEMU with the group added to its VM, and the VFIO device fd its next GET_DEVICE_FD gets (or the errno). */
export interface UnbindWorld extends QemuFixture {
  vfioDevice: number;
}

/** The PCI device in the group raced on. */
const DEVICE = '0000:01:00.0';

const getDeviceFd: Step<LabWorld<UnbindWorld>> = {
  label: `ioctl(group ${GROUP}, VFIO_GROUP_GET_DEVICE_FD, ${DEVICE})`,
  run: ({ state }) => {
    const { qemu } = state;
    state.vfioDevice = qemu.ioctl(groupFd(state, GROUP), VFIO.GROUP_GET_DEVICE_FD, qemu.userString(DEVICE));
    return state.vfioDevice;
  },
};

export const unbindVsDeviceOpen: LabScenario<UnbindWorld> = {
  name: 'unbind-vs-device-open',
  description:
    'A VM holds group 26 while an admin runs `rmmod vfio_pci`: vfio_pci goes GOING and its unbind sleeps in ' +
    "v5.17's vfio_unregister_group_dev until the group leaves its container. Meanwhile QEMU asks for a device fd " +
    '(before the unbind it pins vfio_pci and the rmmod is refused; in the window vfio_device_get_from_name no ' +
    'longer finds the device, or try_module_get(vfio_pci) fails: -ENODEV), then closes everything, which wakes the ' +
    'unbind. The same for every strategy: KVM counts as a container user of the group it holds (SPEC 8).',
  invariant:
    'No violation: the unbind sleeps while anyone uses the group, a device fd never outlives its driver, and once ' +
    'the VM lets go the unload completes with every reference back to zero (no deadlock).',
  appliesTo: () => true,
  setup: (sys: System) => ({ ...qemuWithGroupAdded(sys), vfioDevice: -1 }),
  threads: [
    [rmmod('vfio_pci')],
    [
      getDeviceFd,
      closeFd('VFIO device', (state: UnbindWorld) => state.vfioDevice),
      closeGroup,
      closeContainer,
      closeDevice,
      closeVm,
    ],
  ],
};
