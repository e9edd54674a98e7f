import { KVM, type QemuFixture, VFIO, groupFd } from '@coupling-lab/lab';
import type { Step } from '../core/index.js';
import type { LabWorld } from '../lab-scenario.js';
import { GROUP, groupIoctl } from './fixtures.js';

type QemuStep = Step<LabWorld<QemuFixture>>;

export const groupAdd: QemuStep = {
  label: `ioctl(device, SET_DEVICE_ATTR, GROUP_ADD group ${GROUP})`,
  run: ({ state }) => groupIoctl(state, KVM.DEV_VFIO_GROUP_ADD),
};

export const groupDel: QemuStep = {
  label: `ioctl(device, SET_DEVICE_ATTR, GROUP_DEL group ${GROUP})`,
  run: ({ state }) => groupIoctl(state, KVM.DEV_VFIO_GROUP_DEL),
};

export const unsetContainer: QemuStep = {
  label: `ioctl(group ${GROUP}, VFIO_GROUP_UNSET_CONTAINER)`,
  run: ({ state }) => state.qemu.ioctl(groupFd(state, GROUP), VFIO.GROUP_UNSET_CONTAINER),
};

/** close() of one of QEMU's fds. */
export function closeFd<S extends { readonly qemu: QemuFixture['qemu'] }>(
  what: string,
  fd: (state: S) => number,
): Step<LabWorld<S>> {
  return { label: `close(${what})`, run: ({ state }) => state.qemu.close(fd(state)) };
}

export const closeGroup: QemuStep = closeFd(`group ${GROUP}`, (state: QemuFixture) => groupFd(state, GROUP));
export const closeContainer: QemuStep = closeFd('container', (state: QemuFixture) => state.container);
export const closeDevice: QemuStep = closeFd('device', (state: QemuFixture) => state.device);
export const closeVm: QemuStep = closeFd('vm', (state: QemuFixture) => state.vm);

/** delete_module from an admin's shell; the step's world state is not used. */
export function rmmod<S>(name: string): Step<LabWorld<S>> {
  return { label: `rmmod ${name}`, run: ({ sys }) => sys.rmmod(name) };
}
