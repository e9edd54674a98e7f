import type { LabScenario } from '../lab-scenario.js';
import { addVsAdd } from './add-vs-add.js';
import { addVsDel } from './add-vs-del.js';
import { closeDeviceVsFileAdd } from './close-device-vs-file-add.js';
import { closeGroupVsAdd } from './close-group-vs-add.js';
import { delVsVmClose } from './del-vs-vm-close.js';
import { deviceOpenVsVmClose } from './device-open-vs-vm-close.js';
import { rmmodKvmVfioVsCreateDevice } from './rmmod-kvm-vfio-vs-create-device.js';
import { rmmodKvmVsVfioPut } from './rmmod-kvm-vs-vfio-put.js';
import { rmmodVfioVsVmClose } from './rmmod-vfio-vs-vm-close.js';
import { unbindVsDeviceOpen } from './unbind-vs-device-open.js';
import { unsetContainerVsAdd } from './unset-container-vs-add.js';
import { vmCloseVsDeviceClose } from './vm-close-vs-device-close.js';
import { vmCloseVsRmmodAll } from './vm-close-vs-rmmod-all.js';

/** The race catalogue: SPEC 9's four entries first, then the races found on the way, then the history's (v6.6). */
export const catalogue: readonly LabScenario[] = [
  addVsDel,
  rmmodVfioVsVmClose,
  rmmodKvmVfioVsCreateDevice,
  closeGroupVsAdd,
  addVsAdd,
  delVsVmClose,
  unsetContainerVsAdd,
  vmCloseVsRmmodAll,
  unbindVsDeviceOpen,
  vmCloseVsDeviceClose,
  deviceOpenVsVmClose,
  rmmodKvmVsVfioPut,
  closeDeviceVsFileAdd,
];

export class UnknownScenarioError extends Error {
  constructor(readonly requested: string) {
    super(
      `unknown scenario "${requested}"; the catalogue has: ${catalogue.map((scenario) => scenario.name).join(', ')}`,
    );
    this.name = 'UnknownScenarioError';
  }
}

/** The catalogue entry called `name`; throws UnknownScenarioError naming the valid ones. */
export function scenarioNamed(name: string): LabScenario {
  const found = catalogue.find((scenario) => scenario.name === name);
  if (found === undefined) throw new UnknownScenarioError(name);
  return found;
}
