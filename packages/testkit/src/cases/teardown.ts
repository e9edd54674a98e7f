import assert from 'node:assert/strict';
import { type System, VFIO } from '@coupling-lab/lab';
import type { ErrnoName } from '@coupling-lab/lab';
import { agreedState, expectResult, onKernel } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import {
  attachGroup,
  COHERENT_GROUP,
  createVfioDevice,
  createVm,
  groupAdd,
  NONCOHERENT_GROUP,
  openGroup,
  qemu,
} from '../fixtures.js';

const groupKvm = (sys: System): (number | null)[] => agreedState(sys).groupKvm.map((group) => group.kvm);
const vmAlive = (sys: System, assignedDevices: number): void => {
  assert.deepEqual(
    sys.inspect().vms,
    [{ id: 1, devices: ['kvm-vfio'], assignedDevices, noncoherentDma: assignedDevices > 1 ? 1 : 0 }],
    'the VM and its kvm-vfio device are alive and still hold their groups',
  );
};

/**
 * VM and device teardown in every order. kvm-vfio has `destroy`, not `release` (v5.17): the
 * device lets go of its groups when the VM is torn down (its fd and every device fd closed),
 * not when the device fd alone closes (SPEC 5).
 */
export const teardownCases: readonly ConformanceCase[] = [
  {
    name: 'teardown: device fd closed first, the VM keeps its groups until the VM fd closes (v5.17; on v6.6 the device fd lets them go)',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP, NONCOHERENT_GROUP] });
      const p = q.process;
      expectResult(p.close(q.device), 0, 'close(kvm-vfio device fd)');
      if (sys.linux.name === 'v6.6') {
        // v6.6 kvm_vfio_release (51cdc8bc120e): the device lets its groups go when its own fd is released.
        assert.deepEqual(groupKvm(sys), [null, null], 'the device fd released the groups');
        assert.deepEqual(sys.inspect().vms[0]?.devices, [], 'the device is gone; the VM lives');
      } else {
        vmAlive(sys, 2);
        assert.deepEqual(
          groupKvm(sys),
          [1, 1],
          'groups still associated with VM 1 after the device fd closed',
        );
      }
      expectResult(p.close(q.vm), 0, 'close(VM fd)');
      assert.deepEqual(sys.inspect().vms, [], 'the VM is gone once its fd and its device fds are closed');
      assert.deepEqual(groupKvm(sys), [null, null], 'VM teardown let every group go');
      expectResult(
        p.ioctl(q.group(COHERENT_GROUP), VFIO.GROUP_UNSET_CONTAINER),
        0,
        'UNSET_CONTAINER once KVM let go',
      );
    },
  },
  {
    name: 'teardown: VM fd closed first, the device fd keeps the VM alive',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP, NONCOHERENT_GROUP] });
      const p = q.process;
      expectResult(p.close(q.vm), 0, 'close(VM fd)');
      vmAlive(sys, 2);
      assert.deepEqual(groupKvm(sys), [1, 1], 'groups still associated while the device fd holds the VM');
      // KVM a container user (v5.17) or only a holder of the file (v6.6 vfio_group_ioctl_unset_container).
      expectResult(
        p.ioctl(q.group(NONCOHERENT_GROUP), VFIO.GROUP_UNSET_CONTAINER),
        onKernel<ErrnoName | number>(sys, { 'v5.17': 'EBUSY', 'v6.6': 0 }),
        'UNSET_CONTAINER while the VM lives',
      );
      expectResult(p.close(q.device), 0, 'close(kvm-vfio device fd)');
      assert.deepEqual(sys.inspect().vms, [], 'the VM is gone');
      assert.deepEqual(groupKvm(sys), [null, null], 'VM teardown let every group go');
    },
  },
  {
    name: 'teardown: closing /dev/kvm does not affect the VM',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      expectResult(q.process.close(q.kvm), 0, 'close(/dev/kvm)');
      vmAlive(sys, 1);
      assert.deepEqual(groupKvm(sys), [1, null]);
    },
  },
  {
    name: 'teardown: process exit tears the VM down and lets every group go',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP, NONCOHERENT_GROUP] });
      expectResult(q.process.exit(), 0, 'exit()');
      assert.deepEqual(sys.inspect().vms, [], 'no VM after exit');
      assert.deepEqual(groupKvm(sys), [null, null], 'no group associated after exit');
      // Every group left its container with its last user: a new process starts from scratch.
      const p = sys.spawn('qemu-2');
      expectResult(
        p.ioctl(openGroup(p, COHERENT_GROUP), VFIO.GROUP_GET_STATUS),
        VFIO.GROUP_FLAGS_VIABLE,
        'GET_STATUS in a new process',
      );
    },
  },
  {
    name: 'teardown: QEMU closes its group and container fds before the VM; the VM keeps the group until it goes',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      expectResult(p.close(q.group(COHERENT_GROUP)), 0, 'close(group)');
      expectResult(p.close(q.container(COHERENT_GROUP)), 0, 'close(container)');
      vmAlive(sys, 1);
      assert.deepEqual(groupKvm(sys), [1, null], 'KVM still holds group 26');
      expectResult(p.close(q.device), 0, 'close(device)');
      expectResult(p.close(q.vm), 0, 'close(VM)');
      assert.deepEqual(sys.inspect().vms, [], 'the VM is gone');
      assert.deepEqual(groupKvm(sys), [null, null], 'VM teardown let the group go');
      expectResult(
        p.ioctl(openGroup(p, COHERENT_GROUP), VFIO.GROUP_GET_STATUS),
        VFIO.GROUP_FLAGS_VIABLE,
        'the group left its container',
      );
    },
  },
  {
    name: 'teardown: QEMU exits with its VM fds below its group fd',
    run(sys) {
      sys.modprobeAll();
      // exit() closes the lowest fd first: here the VM and device fds go before the group's.
      const p = sys.spawn('qemu');
      const { vm } = createVm(p);
      const device = createVfioDevice(p, vm);
      const { group } = attachGroup(p, NONCOHERENT_GROUP);
      expectResult(groupAdd(p, device, group), 0, 'GROUP_ADD(27)');
      assert.ok(vm < group && device < group, 'the VM fds are below the group fd');
      expectResult(p.exit(), 0, 'exit()');
      assert.deepEqual(sys.inspect().vms, [], 'no VM after exit');
      assert.deepEqual(groupKvm(sys), [null, null], 'no group associated after exit');
    },
  },
];
