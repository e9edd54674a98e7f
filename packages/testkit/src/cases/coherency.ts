import assert from 'node:assert/strict';
import { type System, VFIO } from '@coupling-lab/lab';
import { expectResult, onKernel } from '../assertions.js';

import type { ConformanceCase } from '../conformance/case.js';
import {
  COHERENT_GROUP,
  groupAdd,
  groupDel,
  NONCOHERENT_GROUP,
  openGroup,
  qemu,
  setContainer,
} from '../fixtures.js';

const noncoherentDma = (sys: System): number | undefined => sys.inspect().vms[0]?.noncoherentDma;

/**
 * kvm_vfio_update_coherency [virt/kvm/vfio.c v5.17]: noncoherent DMA is registered while at least
 * one added group's container does not enforce coherency, once per transition (SPEC 5).
 */
export const coherencyCases: readonly ConformanceCase[] = [
  {
    name: 'coherency: a coherent group registers no noncoherent DMA',
    run(sys) {
      sys.modprobeAll();
      qemu(sys, { groups: [COHERENT_GROUP] });
      assert.equal(noncoherentDma(sys), 0, 'group 26 alone in its container is coherent');
    },
  },
  {
    name: 'coherency: adding 27 registers noncoherent DMA once, adding 26 keeps it at 1, deleting 27 unregisters it',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, {
        groups: [COHERENT_GROUP, NONCOHERENT_GROUP],
        containers: 'separate',
        add: false,
      });
      const p = q.process;
      expectResult(groupAdd(p, q.device, q.group(NONCOHERENT_GROUP)), 0, 'GROUP_ADD(27)');
      assert.equal(noncoherentDma(sys), 1, 'after adding group 27: registered once');
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(26)');
      assert.equal(noncoherentDma(sys), 1, 'after adding group 26 too: still registered once, not per group');
      expectResult(groupDel(p, q.device, q.group(NONCOHERENT_GROUP)), 0, 'GROUP_DEL(27)');
      assert.equal(noncoherentDma(sys), 0, 'after deleting group 27: unregistered');
      expectResult(groupDel(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_DEL(26)');
      assert.equal(noncoherentDma(sys), 0, 'after deleting group 26: still 0');
    },
  },
  {
    name: 'coherency: noncoherent DMA stays registered until the last noncoherent group is deleted',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [NONCOHERENT_GROUP, COHERENT_GROUP], containers: 'separate' });
      const p = q.process;
      assert.equal(noncoherentDma(sys), 1, 'both added: registered once');
      expectResult(groupDel(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_DEL(26)');
      assert.equal(noncoherentDma(sys), 1, 'group 27 still added: still registered');
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(26) again');
      assert.equal(noncoherentDma(sys), 1, 'a coherent group added again changes nothing');
      expectResult(groupDel(p, q.device, q.group(NONCOHERENT_GROUP)), 0, 'GROUP_DEL(27)');
      assert.equal(noncoherentDma(sys), 0, 'only coherent groups left: unregistered');
    },
  },
  {
    name: 'coherency: groups 26 and 27 in one container make the container not coherent, and the VM too on v5.17',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP], add: false });
      const p = q.process;
      const container = q.container(COHERENT_GROUP);
      expectResult(
        p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU),
        1,
        'DMA_CC_IOMMU with group 26 alone',
      );
      setContainer(p, openGroup(p, NONCOHERENT_GROUP), container);
      expectResult(
        p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU),
        0,
        'DMA_CC_IOMMU with groups 26 and 27',
      );
      // v5.17: KVM asks the group's container (vfio_external_check_extension). v6.6
      // vfio_group_enforced_coherent asks the group's own devices (IOMMU_CAP_ENFORCE_CACHE_COHERENCY).
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(26)');
      assert.equal(
        noncoherentDma(sys),
        onKernel(sys, { 'v5.17': 1, 'v6.6': 0 }),
        'group 26 shares a container with 27: noncoherent on v5.17, coherent by its own device on v6.6',
      );
      expectResult(groupDel(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_DEL(26)');
      assert.equal(noncoherentDma(sys), 0, 'nothing added: unregistered');
    },
  },
  {
    name: 'coherency: a failed GROUP_ADD does not change the registration',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [NONCOHERENT_GROUP] });
      const p = q.process;
      expectResult(groupAdd(p, q.device, q.group(NONCOHERENT_GROUP)), 'EEXIST', 'second GROUP_ADD(27)');
      assert.equal(noncoherentDma(sys), 1, 'still registered exactly once');
      expectResult(
        groupDel(p, q.device, q.container(NONCOHERENT_GROUP)),
        'ENOENT',
        'GROUP_DEL(container fd)',
      );
      assert.equal(noncoherentDma(sys), 1, 'a failed DEL leaves it registered');
    },
  },
];
