import type { LabScenario } from '../lab-scenario.js';
import { closeDevice, closeFd, closeVm, rmmod } from './steps.js';
import {
  closeVfioDevice,
  qemuWithVfioDevice,
  VFIO_HOLDS_NO_VM,
  type VfioDeviceWorld,
} from './vfio-device.js';

const closeDevKvm = closeFd('/dev/kvm', (state: VfioDeviceWorld) => state.kvm);

/**
 * `rmmod kvm` while VFIO holds a VM. The VM pins kvm.ko until kvm_destroy_vm's module_put
 * (5f6de5cbebee, "KVM: Prevent module exit until all VMs are freed"); the code that made that put
 * still has to return through kvm.ko, so whoever calls kvm_put_kvm must hold kvm.ko itself.
 * Linux's symbol_get of kvm_put_kvm does (2b48f52f2bff); the 2023 helper-pointer proposal did not:
 * "nothing prevents userspace from unloading kvm.ko while VFIO still holds a reference to a kvm
 * structure, and so invoking ->put_kvm() could jump into freed code" (<ZWp_q1w01NCZi8KX@google.com>).
 */
export const rmmodKvmVsVfioPut: LabScenario<VfioDeviceWorld> = {
  name: 'rmmod-kvm-vs-vfio-put',
  description:
    'QEMU has closed /dev/kvm, its kvm-vfio device and its VM fd, so the VFIO device it still has open holds the ' +
    "VM's last reference (v6.6). QEMU closes that device while an admin runs `rmmod kvm`. The last kvm_put_kvm " +
    "drops the VM's reference on kvm.ko and must still return through kvm.ko's code. symbol-get-file/put-helpers " +
    'calls a put pointer KVM handed it and holds nothing on kvm.ko: the rmmod completes in that window and the put ' +
    'returns into freed code (use-after-free).',
  invariant:
    "No violation: kvm.ko stays loaded until VFIO's last call into it has returned, and every reference is back to zero after teardown.",
  appliesTo: () => true,
  notOn: { 'v5.17': VFIO_HOLDS_NO_VM },
  setup: qemuWithVfioDevice,
  threads: [[closeDevice, closeVm, closeDevKvm, closeVfioDevice], [rmmod('kvm')]],
};
