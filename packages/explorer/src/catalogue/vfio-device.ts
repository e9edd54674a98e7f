import { type QemuFixture, type System, VFIO, groupFd, must } from '@coupling-lab/lab';
import type { Step } from '../core/index.js';
import type { LabWorld } from '../lab-scenario.js';
import { GROUP, qemuWithGroupAdded } from './fixtures.js';
import { closeFd } from './steps.js';

/** QEMU with the group added to its VM and, once asked for, a VFIO device fd of the group (or the errno). */
export interface VfioDeviceWorld extends QemuFixture {
  vfioDevice: number;
}

/** The PCI device of the group the history scenarios open. */
export const VFIO_DEVICE = '0000:01:00.0';

/** VFIO_GROUP_GET_DEVICE_FD: on v6.6 the device's first open takes VFIO's reference on the group's VM. */
export const getDeviceFd: Step<LabWorld<VfioDeviceWorld>> = {
  label: `ioctl(group ${GROUP}, VFIO_GROUP_GET_DEVICE_FD, ${VFIO_DEVICE})`,
  run: ({ state }) => {
    const { qemu } = state;
    state.vfioDevice = qemu.ioctl(
      groupFd(state, GROUP),
      VFIO.GROUP_GET_DEVICE_FD,
      qemu.userString(VFIO_DEVICE),
    );
    return state.vfioDevice;
  },
};

export const closeVfioDevice: Step<LabWorld<VfioDeviceWorld>> = closeFd(
  'VFIO device',
  (state: VfioDeviceWorld) => state.vfioDevice,
);

/** As qemuWithGroupAdded, with the VFIO device opened too: VFIO holds the VM (v6.6). */
export function qemuWithVfioDevice(sys: System): VfioDeviceWorld {
  const world: VfioDeviceWorld = { ...qemuWithGroupAdded(sys), vfioDevice: -1 };
  const { qemu } = world;
  world.vfioDevice = must(
    qemu.ioctl(groupFd(world, GROUP), VFIO.GROUP_GET_DEVICE_FD, qemu.userString(VFIO_DEVICE)),
    'VFIO_GROUP_GET_DEVICE_FD',
  );
  return world;
}

/** Why the history scenarios need v6.6: VFIO holds no VM reference on v5.17. */
export const VFIO_HOLDS_NO_VM =
  'VFIO holds no reference on the VM on v5.17 (its core takes one from 2b48f52f2bff on; the history variants that need one run on v6.6)';
