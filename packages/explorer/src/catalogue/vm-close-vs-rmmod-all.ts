import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuWithGroupAdded } from './fixtures.js';
import { closeContainer, closeDevice, closeGroup, closeVm, rmmod } from './steps.js';

export const vmCloseVsRmmodAll: LabScenario<QemuFixture> = {
  name: 'vm-close-vs-rmmod-all',
  description:
    'Three threads: a VM holding group 26 is closed fd by fd (group, container, device, VM) while one admin shell ' +
    'unloads vfio_pci and vfio and another kvm_vfio (if the strategy has it) and kvm. The widest unload race: ' +
    'every module either refuses (-EWOULDBLOCK) or is no longer reachable from anything still running.',
  invariant:
    'No violation: no module code or object is used after it is freed, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuWithGroupAdded,
  threads: [
    [closeGroup, closeContainer, closeDevice, closeVm],
    [rmmod('vfio_pci'), rmmod('vfio')],
    [rmmod('kvm_vfio'), rmmod('kvm')],
  ],
};
