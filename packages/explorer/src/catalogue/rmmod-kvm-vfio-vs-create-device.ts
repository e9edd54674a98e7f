import { KVM } from '@coupling-lab/lab';
import type { Step } from '../core/index.js';
import type { LabScenario, LabWorld } from '../lab-scenario.js';
import { hasModule } from '../strategy-ref.js';
import { qemuWithVm, type VmOnly } from './fixtures.js';
import { closeFd, rmmod } from './steps.js';

const createDevice: Step<LabWorld<VmOnly>> = {
  label: 'ioctl(vm, CREATE_DEVICE, KVM_DEV_TYPE_VFIO)',
  run: ({ state }) =>
    (state.device = state.qemu.ioctl(state.vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })),
};

export const rmmodKvmVfioVsCreateDevice: LabScenario<VmOnly> = {
  name: 'rmmod-kvm_vfio-vs-create-device',
  description:
    'register-ops only: QEMU creates a kvm-vfio device on its VM, then closes the device and the VM (which destroys ' +
    "the device through kvm_vfio's ops), while an admin runs `rmmod kvm_vfio`. KVM must pin the ops' owner from the " +
    'table lookup until the device is destroyed. register-ops/no-owner pins nothing, so kvm_vfio unloads under a live ' +
    "device and its destroy is called after it is freed; register-ops/unlocked takes the owner's reference after " +
    'dropping the table lock, so the unload slips in between and the reference is taken on a freed module.',
  invariant:
    'No violation: no kvm_vfio code is called, and no reference taken on it, after it is freed; every reference is back to zero after teardown.',
  appliesTo: (strategy, linux) => hasModule(strategy, 'kvm_vfio', linux),
  setup: qemuWithVm,
  threads: [
    [
      createDevice,
      closeFd('device', (state: VmOnly) => state.device),
      closeFd('vm', (state: VmOnly) => state.vm),
    ],
    [rmmod('kvm_vfio')],
  ],
};
