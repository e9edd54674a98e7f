import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuWithGroupAdded } from './fixtures.js';
import { closeDevice, closeVm, groupDel } from './steps.js';

export const delVsVmClose: LabScenario<QemuFixture> = {
  name: 'del-vs-vm-close',
  description:
    'A VM holds group 26; one QEMU thread deletes the group while another closes the kvm-vfio device and the VM fd. ' +
    "The group must be let go exactly once, by GROUP_DEL or by the VM's destroy; the ioctl's own reference on the " +
    'device file defers the destroy until GROUP_DEL returns.',
  invariant:
    'No violation: the group is released exactly once (no underflow, no use after free), and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuWithGroupAdded,
  threads: [[groupDel], [closeDevice, closeVm]],
};
