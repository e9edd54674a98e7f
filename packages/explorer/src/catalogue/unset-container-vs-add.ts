import type { QemuFixture } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuReady } from './fixtures.js';
import { groupAdd, unsetContainer } from './steps.js';

export const unsetContainerVsAdd: LabScenario<QemuFixture> = {
  name: 'unset-container-vs-add',
  description:
    'One QEMU thread adds group 26 while another detaches it from its container (VFIO_GROUP_UNSET_CONTAINER). ' +
    "KVM's validation of the group (container and IOMMU set) and its container user are taken apart in the " +
    'file-based strategies, so the detach can land between them.',
  invariant:
    'No violation: the container user KVM takes, if any, is dropped exactly once, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  setup: qemuReady,
  threads: [[groupAdd], [unsetContainer]],
};
