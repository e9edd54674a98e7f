import type { System } from '@coupling-lab/lab';
import type { LabScenario } from '../lab-scenario.js';
import { qemuWithGroupAdded } from './fixtures.js';
import { closeDevice, closeVm } from './steps.js';
import { closeVfioDevice, getDeviceFd, VFIO_HOLDS_NO_VM, type VfioDeviceWorld } from './vfio-device.js';

/**
 * A VFIO device's open (under group_lock) racing the kvm-vfio device's release (under kvm->lock).
 * 2b48f52f2bff ("vfio: fix deadlock between group lock and kvm lock"): "in vfio_open_device, vfio
 * holds the vfio group_lock when issuing device->ops->open_device but some drivers (like vfio-ap)
 * need to acquire kvm->lock during their open_device routine; Meanwhile, kvm_vfio_release will
 * acquire the kvm->lock first before calling vfio_file_set_kvm which will acquire the vfio
 * group_lock."
 */
export const deviceOpenVsVmClose: LabScenario<VfioDeviceWorld> = {
  name: 'device-open-vs-vm-close',
  description:
    'A VM holds group 26. One QEMU thread opens a device of the group and closes it again while another closes the ' +
    'kvm-vfio device and the VM fd. The open runs under group_lock (and, with vfio-ap, takes kvm->lock in the ' +
    "driver's open_device); the kvm-vfio release runs under kvm->lock and calls vfio_file_set_kvm. " +
    'symbol-get-file/v6.2-vfio-ap takes group_lock there: the two locks in both orders, the ABBA deadlock ' +
    '2b48f52f2bff fixed with kvm_ref_lock.',
  invariant:
    'No violation: group_lock and kvm->lock are never taken in both orders (lockdep), and every reference is back to zero after teardown.',
  appliesTo: () => true,
  notOn: { 'v5.17': VFIO_HOLDS_NO_VM },
  setup: (sys: System) => ({ ...qemuWithGroupAdded(sys), vfioDevice: -1 }),
  threads: [
    [getDeviceFd, closeVfioDevice],
    [closeDevice, closeVm],
  ],
};
