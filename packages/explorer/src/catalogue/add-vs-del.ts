import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuReady } from './fixtures.js';
import { groupAdd, groupDel } from './steps.js';

export const addVsDel: LabScenario<QemuFixture> = {
  name: 'add-vs-del',
  description:
    "Two QEMU threads: one adds group 26 to the VM's kvm-vfio device, the other deletes it. The 2023 upstream bug " +
    '9e0f4f2918c2 ("kvm/vfio: ensure kvg instance stays around in kvm_vfio_group_add()"): before the fix GROUP_ADD ' +
    'called set_kvm after dropping kv->lock, so a GROUP_DEL in that window lets go of the group first. ' +
    'symbol-get/v5.17-race then associates the group with a VM that no longer holds it (stale-association); ' +
    'symbol-get-file/v5.19-race reads kvg->file from the entry GROUP_DEL just freed (use-after-free).',
  invariant:
    'No violation: a group is associated with a VM exactly while that VM holds it, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuReady,
  threads: [[groupAdd], [groupDel]],
};
