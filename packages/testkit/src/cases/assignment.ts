import assert from 'node:assert/strict';
import type { System } from '@coupling-lab/lab';
import { expectResult } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import {
  attachGroup,
  COHERENT_GROUP,
  createVfioDevice,
  createVm,
  groupAdd,
  groupDel,
  NONCOHERENT_GROUP,
  qemu,
} from '../fixtures.js';

const assigned = (sys: System): (number | undefined)[] => sys.inspect().vms.map((vm) => vm.assignedDevices);

/** kvm_arch_start_assignment / kvm_arch_end_assignment: one per added group, per VM (SPEC 5). */
export const assignmentCases: readonly ConformanceCase[] = [
  {
    name: 'assignment: each added group counts one assigned device, each delete drops one',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP, NONCOHERENT_GROUP], add: false });
      const p = q.process;
      assert.deepEqual(assigned(sys), [0], 'before any GROUP_ADD');
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(26)');
      assert.deepEqual(assigned(sys), [1], 'after GROUP_ADD(26)');
      expectResult(groupAdd(p, q.device, q.group(NONCOHERENT_GROUP)), 0, 'GROUP_ADD(27)');
      assert.deepEqual(assigned(sys), [2], 'after GROUP_ADD(27)');
      expectResult(groupDel(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_DEL(26)');
      assert.deepEqual(assigned(sys), [1], 'after GROUP_DEL(26)');
      expectResult(groupDel(p, q.device, q.group(NONCOHERENT_GROUP)), 0, 'GROUP_DEL(27)');
      assert.deepEqual(assigned(sys), [0], 'after GROUP_DEL(27)');
    },
  },
  {
    name: 'assignment: failed GROUP_ADD and GROUP_DEL leave the count alone',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP] });
      const p = q.process;
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 'EEXIST', 'duplicate GROUP_ADD');
      expectResult(groupAdd(p, q.device, q.container(COHERENT_GROUP)), 'EINVAL', 'GROUP_ADD(container fd)');
      expectResult(groupAdd(p, q.device, 999), 'EBADF', 'GROUP_ADD(fd 999)');
      expectResult(groupDel(p, q.device, q.vm), 'ENOENT', 'GROUP_DEL(VM fd)');
      assert.deepEqual(assigned(sys), [1], 'only the one successful GROUP_ADD counts');
    },
  },
  {
    name: 'assignment: each VM counts its own groups',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const g26 = attachGroup(p, COHERENT_GROUP).group;
      const g27 = attachGroup(p, NONCOHERENT_GROUP).group;
      const first = createVfioDevice(p, createVm(p).vm);
      const second = createVfioDevice(p, createVm(p).vm);
      expectResult(groupAdd(p, first, g26), 0, 'VM 1: GROUP_ADD(26)');
      expectResult(groupAdd(p, second, g27), 0, 'VM 2: GROUP_ADD(27)');
      assert.deepEqual(assigned(sys), [1, 1], 'one assigned device per VM');
      assert.deepEqual(
        sys.inspect().groups.map((group) => [group.id, group.kvm]),
        [
          [26, 1],
          [27, 2],
        ],
        'each group is associated with the VM that added it',
      );
      assert.deepEqual(
        sys.inspect().vms.map((vm) => vm.noncoherentDma),
        [0, 1],
        'only VM 2 (group 27) registers noncoherent DMA',
      );
      expectResult(groupDel(p, first, g27), 'ENOENT', "VM 1: GROUP_DEL(27), VM 2's group");
      expectResult(groupDel(p, second, g27), 0, 'VM 2: GROUP_DEL(27)');
      assert.deepEqual(assigned(sys), [1, 0], 'after VM 2 deleted its group');
    },
  },
];
