import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuReady } from './fixtures.js';
import { closeGroup, groupAdd } from './steps.js';

export const closeGroupVsAdd: LabScenario<QemuFixture> = {
  name: 'close-group-vs-add',
  description:
    'One QEMU thread adds group 26 to the VM while another closes the group fd (the last user fd, so the group ' +
    'leaves its container). GROUP_ADD must either fail cleanly or hold the group on its own. get-ops/no-file-ref ' +
    'keeps a bare pointer to the group file without fget: once the close frees the file, the VM teardown calls ' +
    'set_kvm through the ops table with it (use-after-free of the file).',
  invariant:
    'No violation: the group file and group are never used after they are freed, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuReady,
  threads: [[groupAdd], [closeGroup]],
};
