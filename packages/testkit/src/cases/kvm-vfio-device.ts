import assert from 'node:assert/strict';
import { KVM, type Process, type System, VFIO } from '@coupling-lab/lab';
import { agreedState, expectOk, expectRefused, expectResult } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import {
  COHERENT_GROUP,
  createVfioDevice,
  createVm,
  DEVICE_IN_GROUP,
  groupAdd,
  groupDel,
  kvmVfioAttr,
  NONCOHERENT_GROUP,
  openContainer,
  openGroup,
  qemu,
  setContainer,
} from '../fixtures.js';

/** Addresses never handed out by userInt32: copy_from_user faults on them. */
const BAD_ADDRESSES = [0, 1, 0xdead_beef, -1];
/** fds no process has open. */
const NOT_OPEN = [-1, -1000, 1023, 4096, 2 ** 31 - 1];

const setAttr = (p: Process, dev: number, group: number, attr: number, addr: number): number =>
  p.ioctl(dev, KVM.SET_DEVICE_ATTR, { group, attr, addr });

/** SPEC 5's kvm-vfio table [virt/kvm/vfio.c v5.17], row by row: the same for every strategy. */
export const kvmVfioDeviceCases: readonly ConformanceCase[] = [
  {
    name: 'kvm-vfio: a second kvm-vfio device on one VM is -EBUSY',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      expectRefused(sys, 'second KVM_CREATE_DEVICE(VFIO)', 'EBUSY', () =>
        p.ioctl(q.vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }),
      );
      // KVM_CREATE_DEVICE_TEST only asks whether the type exists (kvm_ioctl_create_device returns before create).
      expectResult(
        p.ioctl(q.vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST }),
        0,
        'KVM_CREATE_DEVICE_TEST',
      );
      assert.deepEqual(sys.inspect().vms, [
        { id: 1, devices: ['kvm-vfio'], assignedDevices: 0, noncoherentDma: 0 },
      ]);
      // A second VM has its own device.
      const { vm } = createVm(p);
      createVfioDevice(p, vm);
      assert.deepEqual(
        sys.inspect().vms.map((v) => [v.id, v.devices]),
        [
          [1, ['kvm-vfio']],
          [2, ['kvm-vfio']],
        ],
        'each VM has exactly one kvm-vfio device',
      );
    },
  },
  {
    name: 'kvm-vfio: SET_ATTR with a group other than KVM_DEV_VFIO_GROUP is -ENXIO',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      for (const attrGroup of [0, 2, 3, 0xffff]) {
        for (const attr of [KVM.DEV_VFIO_GROUP_ADD, KVM.DEV_VFIO_GROUP_DEL]) {
          expectRefused(sys, `SET_ATTR(group ${attrGroup}, attr ${attr})`, 'ENXIO', () =>
            setAttr(p, q.device, attrGroup, attr, p.userInt32(q.group(COHERENT_GROUP))),
          );
        }
      }
    },
  },
  {
    name: 'kvm-vfio: SET_ATTR with an unknown attr in KVM_DEV_VFIO_GROUP is -ENXIO',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      for (const attr of [0, 4, 99, -1]) {
        expectRefused(sys, `SET_ATTR(KVM_DEV_VFIO_GROUP, attr ${attr})`, 'ENXIO', () =>
          setAttr(p, q.device, KVM.DEV_VFIO_GROUP, attr, p.userInt32(q.group(COHERENT_GROUP))),
        );
      }
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD and GROUP_DEL with an unreadable address are -EFAULT',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      for (const addr of BAD_ADDRESSES) {
        expectRefused(sys, `GROUP_ADD(addr ${addr})`, 'EFAULT', () =>
          setAttr(p, q.device, KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_ADD, addr),
        );
      }
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(group 26)');
      for (const addr of BAD_ADDRESSES) {
        expectRefused(sys, `GROUP_DEL(addr ${addr})`, 'EFAULT', () =>
          setAttr(p, q.device, KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_DEL, addr),
        );
      }
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD and GROUP_DEL of an fd that is not open are -EBADF',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      const closed = openContainer(p);
      expectResult(p.close(closed), 0, 'close(container)');
      for (const fd of [...NOT_OPEN, closed]) {
        expectRefused(sys, `GROUP_ADD(fd ${fd})`, 'EBADF', () => groupAdd(p, q.device, fd));
      }
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(group 26)');
      for (const fd of [...NOT_OPEN, closed]) {
        expectRefused(sys, `GROUP_DEL(fd ${fd})`, 'EBADF', () => groupDel(p, q.device, fd));
      }
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD of a file that is not a VFIO group is -EINVAL (a VFIO device file is accepted on v6.6)',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      const deviceFd = expectOk(
        p.ioctl(
          q.group(COHERENT_GROUP),
          VFIO.GROUP_GET_DEVICE_FD,
          p.userString(DEVICE_IN_GROUP[COHERENT_GROUP] ?? ''),
        ),
        'VFIO_GROUP_GET_DEVICE_FD',
      );
      const kinds: [string, number][] = [
        ['a container fd', q.container(COHERENT_GROUP)],
        ['the /dev/kvm fd', q.kvm],
        ['the VM fd', q.vm],
        ['the kvm-vfio device fd itself', q.device],
        // v6.6 kvm_vfio_file_add asks vfio_file_is_valid, which takes a device file too (device-files.ts).
        ...(sys.linux.vfio.deviceCdev === true ? [] : [['a VFIO device fd', deviceFd] as [string, number]]),
      ];
      for (const [what, fd] of kinds)
        expectRefused(sys, `GROUP_ADD(${what})`, 'EINVAL', () => groupAdd(p, q.device, fd));
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD of a group without a container, or whose container has no IOMMU, is -EINVAL on v5.17 and accepted on v6.6',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      const { vm } = createVm(p);
      const dev = createVfioDevice(p, vm);
      if (sys.linux.name === 'v6.6') {
        // v6.6 kvm_vfio_file_add asks only vfio_file_is_valid: any VFIO group file, container or not.
        expectResult(groupAdd(p, dev, group), 0, 'GROUP_ADD(group with no container)');
        expectResult(groupDel(p, dev, group), 0, 'GROUP_DEL');
        return;
      }
      // v5.17 vfio_group_get_external_user: a container with an IOMMU driver set, else -EINVAL.
      expectRefused(sys, 'GROUP_ADD(group with no container)', 'EINVAL', () => groupAdd(p, dev, group));
      setContainer(p, group, openContainer(p));
      expectRefused(sys, 'GROUP_ADD(group whose container has no IOMMU set)', 'EINVAL', () =>
        groupAdd(p, dev, group),
      );
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD of a group that is not viable is -EINVAL (v5.17); on v6.6 an unbound group takes no container',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      const container = openContainer(p);
      // Unbinding vfio_pci leaves the open group valid but not viable (SPEC 4).
      expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci with no group in a container');
      if (sys.linux.name === 'v6.6') {
        // v6.6 vfio_device_remove_group cleared group->iommu_group: vfio_group_ioctl_set_container -ENODEV.
        expectRefused(sys, 'SET_CONTAINER on an unbound group', 'ENODEV', () =>
          p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)),
        );
        return;
      }
      setContainer(p, group, container);
      expectResult(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 0, 'VFIO_SET_IOMMU');
      assert.equal(
        p.ioctl(group, VFIO.GROUP_GET_STATUS),
        VFIO.GROUP_FLAGS_CONTAINER_SET,
        'GET_STATUS: container set, not viable',
      );
      const { vm } = createVm(p);
      const dev = createVfioDevice(p, vm);
      expectRefused(sys, 'GROUP_ADD(group that is not viable)', 'EINVAL', () => groupAdd(p, dev, group));
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD of a group already added is -EEXIST',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      expectRefused(sys, 'second GROUP_ADD(group 26)', 'EEXIST', () =>
        groupAdd(q.process, q.device, q.group(COHERENT_GROUP)),
      );
      assert.equal(
        sys.inspect().vms[0]?.assignedDevices,
        1,
        'the duplicate ADD must not count a second assignment',
      );
    },
  },
  {
    name: 'kvm-vfio: GROUP_DEL of a group that was never added is -ENOENT',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { groups: [COHERENT_GROUP, NONCOHERENT_GROUP], add: false });
      const p = q.process;
      expectResult(groupAdd(p, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_ADD(group 26)');
      const loose = openContainer(p);
      const kinds: [string, number][] = [
        ['group 27, attached but not added', q.group(NONCOHERENT_GROUP)],
        ['a container fd', loose],
        ['the /dev/kvm fd', q.kvm],
        ['the VM fd', q.vm],
        ['the kvm-vfio device fd itself', q.device],
      ];
      for (const [what, fd] of kinds)
        expectRefused(sys, `GROUP_DEL(${what})`, 'ENOENT', () => groupDel(p, q.device, fd));
    },
  },
  {
    name: 'kvm-vfio: GROUP_DEL of a group already deleted is -ENOENT',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      expectResult(groupDel(q.process, q.device, q.group(COHERENT_GROUP)), 0, 'GROUP_DEL(group 26)');
      expectRefused(sys, 'second GROUP_DEL(group 26)', 'ENOENT', () =>
        groupDel(q.process, q.device, q.group(COHERENT_GROUP)),
      );
    },
  },
  {
    name: 'kvm-vfio: GROUP_SET_SPAPR_TCE is -ENXIO (not a PPC host)',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      expectRefused(sys, 'SET_ATTR(GROUP_SET_SPAPR_TCE)', 'ENXIO', () =>
        p.ioctl(
          q.device,
          KVM.SET_DEVICE_ATTR,
          kvmVfioAttr(p, KVM.DEV_VFIO_GROUP_SET_SPAPR_TCE, q.group(COHERENT_GROUP)),
        ),
      );
    },
  },
  {
    name: 'kvm-vfio: HAS_ATTR is 0 for GROUP_ADD and GROUP_DEL, -ENXIO for anything else',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      const has = (group: number, attr: number): number =>
        p.ioctl(q.device, KVM.HAS_DEVICE_ATTR, { group, attr, addr: 0 });
      expectResult(has(KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_ADD), 0, 'HAS_ATTR(GROUP_ADD)');
      expectResult(has(KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_DEL), 0, 'HAS_ATTR(GROUP_DEL)');
      for (const attr of [KVM.DEV_VFIO_GROUP_SET_SPAPR_TCE, 0, 4, 99]) {
        expectRefused(sys, `HAS_ATTR(KVM_DEV_VFIO_GROUP, attr ${attr})`, 'ENXIO', () =>
          has(KVM.DEV_VFIO_GROUP, attr),
        );
      }
      for (const group of [0, 2, 0xffff]) {
        expectRefused(sys, `HAS_ATTR(group ${group}, GROUP_ADD)`, 'ENXIO', () =>
          has(group, KVM.DEV_VFIO_GROUP_ADD),
        );
      }
      assert.deepEqual(
        agreedState(sys).vms,
        [{ id: 1, devices: ['kvm-vfio'], assignedDevices: 0, noncoherentDma: 0 }],
        'HAS_ATTR adds nothing',
      );
    },
  },
  {
    name: 'kvm-vfio: GET_DEVICE_ATTR is -EPERM (the device has no get_attr)',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      for (const attr of [KVM.DEV_VFIO_GROUP_ADD, KVM.DEV_VFIO_GROUP_DEL, 0]) {
        expectRefused(sys, `GET_ATTR(attr ${attr})`, 'EPERM', () =>
          p.ioctl(q.device, KVM.GET_DEVICE_ATTR, kvmVfioAttr(p, attr, q.group(COHERENT_GROUP))),
        );
      }
      // kvm_device_ioctl_attr checks for the accessor before it copies the struct in.
      expectRefused(sys, 'GET_ATTR(no struct)', 'EPERM', () => p.ioctl(q.device, KVM.GET_DEVICE_ATTR, 0));
    },
  },
  {
    name: 'kvm-vfio: an ioctl the device layer does not know is -ENOTTY',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      for (const request of [
        0,
        KVM.CREATE_VM,
        KVM.CREATE_DEVICE,
        VFIO.GROUP_GET_STATUS,
        VFIO.GET_API_VERSION,
        0xffff_ffff,
      ]) {
        expectRefused(sys, `ioctl(kvm-vfio device, 0x${request.toString(16)})`, 'ENOTTY', () =>
          p.ioctl(q.device, request, 0),
        );
      }
    },
  },
  {
    name: 'kvm-vfio: GROUP_ADD associates the group with the VM and GROUP_DEL undoes it',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys, { add: false });
      const p = q.process;
      const group = q.group(COHERENT_GROUP);
      assert.deepEqual(agreedState(sys).groupKvm, [
        { id: 26, kvm: null },
        { id: 27, kvm: null },
      ]);
      for (let round = 1; round <= 2; round++) {
        expectResult(groupAdd(p, q.device, group), 0, `GROUP_ADD (round ${round})`);
        assert.deepEqual(
          agreedState(sys),
          {
            vms: [{ id: 1, devices: ['kvm-vfio'], assignedDevices: 1, noncoherentDma: 0 }],
            groupKvm: [
              { id: 26, kvm: 1 },
              { id: 27, kvm: null },
            ],
          },
          `after GROUP_ADD (round ${round}): one assigned device and group 26 associated with VM 1`,
        );
        expectResult(groupDel(p, q.device, group), 0, `GROUP_DEL (round ${round})`);
        assert.deepEqual(
          agreedState(sys),
          {
            vms: [{ id: 1, devices: ['kvm-vfio'], assignedDevices: 0, noncoherentDma: 0 }],
            groupKvm: [
              { id: 26, kvm: null },
              { id: 27, kvm: null },
            ],
          },
          `after GROUP_DEL (round ${round}): nothing assigned or associated`,
        );
      }
    },
  },
  {
    name: 'kvm-vfio: a VM holding a group is one of its container users on v5.17 (UNSET_CONTAINER -EBUSY until GROUP_DEL), not on v6.6',
    run(sys) {
      sys.modprobeAll();
      const q = qemu(sys);
      const p = q.process;
      const group = q.group(COHERENT_GROUP);
      if (sys.linux.name === 'v6.6') {
        // v6.6 vfio_group_ioctl_unset_container: KVM holds the file, not a container user (container_users == 1).
        expectResult(
          p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
          0,
          'UNSET_CONTAINER while KVM holds the group',
        );
        assert.deepEqual(groupKvmOf(sys), [1, null], 'KVM still holds group 26 and VFIO still knows its VM');
        expectResult(groupDel(p, q.device, group), 0, 'GROUP_DEL');
        return;
      }
      // v5.17 vfio_group_unset_container: cmpxchg(container_users, 1, 0); KVM counts as one.
      expectRefused(sys, 'VFIO_GROUP_UNSET_CONTAINER while KVM holds the group', 'EBUSY', () =>
        p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
      );
      expectResult(groupDel(p, q.device, group), 0, 'GROUP_DEL');
      expectResult(
        p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
        0,
        'VFIO_GROUP_UNSET_CONTAINER after GROUP_DEL',
      );
      assert.equal(
        p.ioctl(group, VFIO.GROUP_GET_STATUS),
        VFIO.GROUP_FLAGS_VIABLE,
        'GET_STATUS after UNSET_CONTAINER: viable, no container',
      );
    },
  },
  {
    name: 'kvm: KVM_CREATE_DEVICE for a type with no ops is -ENODEV; KVM_CREATE_DEVICE_TEST creates nothing',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const { vm } = createVm(p);
      for (const type of [0, 1, 99, KVM.DEV_TYPE_MAX, -1]) {
        expectRefused(sys, `KVM_CREATE_DEVICE(type ${type})`, 'ENODEV', () =>
          p.ioctl(vm, KVM.CREATE_DEVICE, { type }),
        );
        expectRefused(sys, `KVM_CREATE_DEVICE_TEST(type ${type})`, 'ENODEV', () =>
          p.ioctl(vm, KVM.CREATE_DEVICE, { type, flags: KVM.CREATE_DEVICE_TEST }),
        );
      }
      const before = sys.inspect();
      expectResult(
        p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO, flags: KVM.CREATE_DEVICE_TEST }),
        0,
        'KVM_CREATE_DEVICE_TEST(VFIO)',
      );
      assert.deepEqual(
        sys.inspect(),
        before,
        'KVM_CREATE_DEVICE_TEST must not create a device or keep a reference',
      );
    },
  },
];

function groupKvmOf(sys: System): (number | null)[] {
  return sys.inspect().groups.map((group) => group.kvm);
}
