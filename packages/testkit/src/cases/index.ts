import type { ConformanceCase } from '../conformance/case.js';
import { assignmentCases } from './assignment.js';
import { badInputCases } from './bad-input.js';
import { coherencyCases } from './coherency.js';
import { deviceFileCases } from './device-files.js';
import { kvmVfioDeviceCases } from './kvm-vfio-device.js';
import { modulePinningCases } from './module-pinning.js';
import { teardownCases } from './teardown.js';
import { vfioContainerCases } from './vfio-container.js';
import { vfioGroupCases } from './vfio-group.js';

/** The whole conformance suite, by topic. Case names are unique. */
export const conformanceCases: readonly ConformanceCase[] = [
  ...kvmVfioDeviceCases,
  ...vfioContainerCases,
  ...vfioGroupCases,
  ...coherencyCases,
  ...assignmentCases,
  ...teardownCases,
  ...modulePinningCases,
  ...badInputCases,
  ...deviceFileCases,
];
