import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuWithGroupAdded } from './fixtures.js';
import { closeContainer, closeDevice, closeGroup, closeVm, rmmod } from './steps.js';

export const rmmodVfioVsVmClose: LabScenario<QemuFixture> = {
  name: 'rmmod-vfio-vs-vm-close',
  description:
    'A VM holds group 26; its QEMU closes the group, the container, the kvm-vfio device and the VM fd while an admin ' +
    'runs `rmmod vfio_pci` and `rmmod vfio`. Whatever KVM keeps for the group must keep VFIO (its code and the group) ' +
    'alive until the VM lets go of it. get-ops/no-file-ref keeps the ops table and a bare pointer to the group file ' +
    "without fget: QEMU's close frees the file, and tearing the VM down calls set_kvm through the table with it. SPEC 7 " +
    'tells this bug as vfio unloading under the table; in the model the freed file is what gives it away first, so the ' +
    'conviction is a use-after-free of the file (no rmmod needed), before vfio could go.',
  invariant:
    'No violation: no VFIO code or object is used after it is freed, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuWithGroupAdded,
  threads: [
    [closeGroup, closeContainer, closeDevice, closeVm],
    [rmmod('vfio_pci'), rmmod('vfio')],
  ],
};
