import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuReady } from './fixtures.js';
import { groupAdd } from './steps.js';

export const addVsAdd: LabScenario<QemuFixture> = {
  name: 'add-vs-add',
  description:
    'Two QEMU threads add the same group 26 at once. One must win and the other get -EEXIST, dropping what it ' +
    'took from VFIO; the loser must not disturb the association the winner made (with set_kvm outside kv->lock the ' +
    'winner sets it after the loser has gone, which is still consistent).',
  invariant:
    'No violation: the group is associated with the VM while the VM holds it, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuReady,
  threads: [[groupAdd], [groupAdd]],
};
