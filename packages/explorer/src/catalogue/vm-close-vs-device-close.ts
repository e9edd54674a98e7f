import type { LabScenario } from '../lab-scenario.js';
import { closeDevice, closeVm } from './steps.js';
import {
  closeVfioDevice,
  qemuWithVfioDevice,
  VFIO_HOLDS_NO_VM,
  type VfioDeviceWorld,
} from './vfio-device.js';

/**
 * VM teardown racing VFIO's last reference on the VM. When the VFIO device's close comes last,
 * VFIO's kvm_put_kvm is the VM's last put and runs under group_lock (vfio_df_group_close): the
 * teardown must not call back into anything that takes group_lock. 51cdc8bc120e ("kvm/vfio: Fix
 * potential deadlock on vfio group_lock"): "VFIO holds group->group_lock/group_rwsem -> kvm_put_kvm
 * -> kvm_destroy_vm -> kvm_destroy_devices -> kvm_vfio_destroy -> kvm_vfio_file_set_kvm ->
 * vfio_file_set_kvm -> try to hold group->group_lock/group_rwsem".
 */
export const vmCloseVsDeviceClose: LabScenario<VfioDeviceWorld> = {
  name: 'vm-close-vs-device-close',
  description:
    'A VM holds group 26 and QEMU has a device of the group open, so VFIO holds a reference on the VM (v6.6). One ' +
    'QEMU thread closes the kvm-vfio device and the VM fd while another closes the VFIO device. Whoever is last ' +
    "tears the VM down; when it is VFIO, its kvm_put_kvm runs under group_lock. symbol-get-file/v6.1's kvm-vfio " +
    'lets its files go in .destroy at that teardown and calls vfio_file_set_kvm, which takes group_lock again: the ' +
    'recursive deadlock 51cdc8bc120e fixed by moving the work to .release.',
  invariant:
    'No violation: whoever drops the last VM reference, the teardown takes no lock its caller holds, and every reference is back to zero after teardown.',
  appliesTo: () => true,
  notOn: { 'v5.17': VFIO_HOLDS_NO_VM },
  setup: qemuWithVfioDevice,
  threads: [[closeDevice, closeVm], [closeVfioDevice]],
};
