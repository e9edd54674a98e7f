import { VFIO } from '@coupling-lab/lab';
import { expectOk, expectRefused, expectResult, onKernel } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import {
  attachGroup,
  COHERENT_GROUP,
  createVm,
  DEVICE_IN_GROUP,
  NONCOHERENT_GROUP,
  openContainer,
  openGroup,
  setContainer,
  setIommu,
} from '../fixtures.js';

const VIABLE = VFIO.GROUP_FLAGS_VIABLE;
const ATTACHED = VFIO.GROUP_FLAGS_VIABLE | VFIO.GROUP_FLAGS_CONTAINER_SET;
const coherentDevice = DEVICE_IN_GROUP[COHERENT_GROUP] ?? '';

/** /dev/vfio/<group>'s ioctls [drivers/vfio/vfio.c v5.17 vfio_group_fops_unl_ioctl] (SPEC 4). */
export const vfioGroupCases: readonly ConformanceCase[] = [
  {
    name: 'vfio group: GET_STATUS is VIABLE after open, VIABLE|CONTAINER_SET once attached, VIABLE again after UNSET_CONTAINER',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), VIABLE, 'GET_STATUS after open');
      const container = openContainer(p);
      setContainer(p, group, container);
      expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), ATTACHED, 'GET_STATUS after SET_CONTAINER');
      setIommu(p, container);
      expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), ATTACHED, 'GET_STATUS after SET_IOMMU');
      expectResult(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER), 0, 'UNSET_CONTAINER');
      expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), VIABLE, 'GET_STATUS after UNSET_CONTAINER');
    },
  },
  {
    name: 'vfio group: SET_CONTAINER on a group that already has a container is -EINVAL',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const { group, container } = attachGroup(p, COHERENT_GROUP);
      const other = openContainer(p);
      expectRefused(sys, 'SET_CONTAINER(same container) again', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)),
      );
      expectRefused(sys, 'SET_CONTAINER(another container)', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(other)),
      );
    },
  },
  {
    name: 'vfio group: SET_CONTAINER with an fd that is not open is -EBADF, with a negative one -EINVAL (v5.17) or -EBADF (v6.6)',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      const closed = openContainer(p);
      expectResult(p.close(closed), 0, 'close(container)');
      for (const fd of [closed, 1023, 2 ** 31 - 1]) {
        expectRefused(sys, `SET_CONTAINER(fd ${fd})`, 'EBADF', () =>
          p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(fd)),
        );
      }
      // v5.17 vfio_group_fops_unl_ioctl checks the fd's sign before it looks it up; v6.6
      // vfio_group_ioctl_set_container just fdget()s it.
      const negative = onKernel(sys, { 'v5.17': 'EINVAL', 'v6.6': 'EBADF' } as const);
      for (const fd of [-1, -(2 ** 31)]) {
        expectRefused(sys, `SET_CONTAINER(fd ${fd})`, negative, () =>
          p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(fd)),
        );
      }
    },
  },
  {
    name: 'vfio group: SET_CONTAINER with an fd that is not a container is -EINVAL (v5.17) or -EBADFD (v6.6)',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      const other = openGroup(p, NONCOHERENT_GROUP);
      const { kvm, vm } = createVm(p);
      const kinds: [string, number][] = [
        ['the group fd itself', group],
        ['another group fd', other],
        ['the /dev/kvm fd', kvm],
        ['a VM fd', vm],
      ];
      // v6.6 vfio_group_ioctl_set_container: neither a container nor an iommufd, "The FD passed is not recognized."
      const notContainer = onKernel(sys, { 'v5.17': 'EINVAL', 'v6.6': 'EBADFD' } as const);
      for (const [what, fd] of kinds) {
        expectRefused(sys, `SET_CONTAINER(${what})`, notContainer, () =>
          p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(fd)),
        );
      }
    },
  },
  {
    name: 'vfio group: SET_CONTAINER and GET_DEVICE_FD with an unreadable address are -EFAULT',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      for (const addr of [0, 0xdead_beef, -1]) {
        expectRefused(sys, `SET_CONTAINER(addr ${addr})`, 'EFAULT', () =>
          p.ioctl(group, VFIO.GROUP_SET_CONTAINER, addr),
        );
      }
      setContainer(p, group, openContainer(p));
      for (const addr of [0, 0xdead_beef, -1]) {
        expectRefused(sys, `GET_DEVICE_FD(addr ${addr})`, 'EFAULT', () =>
          p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, addr),
        );
      }
    },
  },
  {
    name: 'vfio group: UNSET_CONTAINER without a container is -EINVAL',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      expectRefused(sys, 'UNSET_CONTAINER on a fresh group', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
      );
      const container = openContainer(p);
      setContainer(p, group, container);
      expectResult(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER), 0, 'UNSET_CONTAINER');
      expectRefused(sys, 'second UNSET_CONTAINER', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
      );
    },
  },
  {
    name: 'vfio group: UNSET_CONTAINER is -EBUSY while a device fd is open',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const { group } = attachGroup(p, COHERENT_GROUP);
      const device = expectOk(
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString(coherentDevice)),
        'GET_DEVICE_FD',
      );
      expectRefused(sys, 'UNSET_CONTAINER with a device fd open', 'EBUSY', () =>
        p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
      );
      expectResult(p.close(device), 0, 'close(device fd)');
      expectResult(
        p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER),
        0,
        'UNSET_CONTAINER after the device fd closed',
      );
    },
  },
  {
    name: 'vfio group: GET_DEVICE_FD needs a container with an IOMMU set (-EINVAL)',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      const name = p.userString(coherentDevice);
      expectRefused(sys, 'GET_DEVICE_FD with no container', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, name),
      );
      const container = openContainer(p);
      setContainer(p, group, container);
      expectRefused(sys, 'GET_DEVICE_FD with no IOMMU set', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, name),
      );
      setIommu(p, container);
      expectOk(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, name), 'GET_DEVICE_FD with the IOMMU set');
    },
  },
  {
    name: 'vfio group: GET_DEVICE_FD of a device not in the group is -ENODEV',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const { group } = attachGroup(p, COHERENT_GROUP);
      for (const name of ['0000:09:00.0', '', DEVICE_IN_GROUP[NONCOHERENT_GROUP] ?? '']) {
        expectRefused(sys, `GET_DEVICE_FD("${name}")`, 'ENODEV', () =>
          p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString(name)),
        );
      }
    },
  },
  {
    name: 'vfio group: an unknown ioctl is -ENOTTY',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      for (const request of [VFIO.GET_API_VERSION, VFIO.CHECK_EXTENSION, VFIO.SET_IOMMU, 0, 0xffff_ffff]) {
        expectRefused(sys, `ioctl(group, 0x${request.toString(16)})`, 'ENOTTY', () =>
          p.ioctl(group, request, 0),
        );
      }
    },
  },
  {
    name: 'vfio group: closing the last group fd and device fd leaves the container',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const { group, container } = attachGroup(p, COHERENT_GROUP);
      const device = expectOk(
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString(coherentDevice)),
        'GET_DEVICE_FD',
      );
      expectResult(p.close(group), 0, 'close(group)');
      // The device fd is still a container user: the group stays, and the container keeps its IOMMU.
      expectResult(
        p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU),
        1,
        'DMA_CC_IOMMU while the device fd is open',
      );
      expectResult(sys.rmmod('vfio_pci'), 'EWOULDBLOCK', 'rmmod vfio_pci while the device fd is open');
      expectResult(p.close(device), 0, 'close(device fd)');
      // vfio_group_try_dissolve_container: the last user gone, the group left and took the IOMMU with it.
      expectResult(
        p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU),
        0,
        'DMA_CC_IOMMU after the group left',
      );
      expectResult(
        p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
        'EINVAL',
        'SET_IOMMU on the emptied container',
      );
      const reopened = openGroup(p, COHERENT_GROUP);
      expectResult(
        p.ioctl(reopened, VFIO.GROUP_GET_STATUS),
        VIABLE,
        'GET_STATUS after reopening: no container',
      );
    },
  },
  {
    name: 'vfio group: an open group stays valid but not viable after vfio_pci unloads (v5.17); on v6.6 it has no iommu_group',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const group = openGroup(p, COHERENT_GROUP);
      expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci with no group in a container');
      expectResult(p.open('/dev/vfio/26'), 'ENOENT', 'open(/dev/vfio/26) once its node is gone');
      if (sys.linux.name === 'v6.6') {
        // v6.6 vfio_group_ioctl_get_status: group->iommu_group is NULL once the last driver went.
        expectResult(
          p.ioctl(group, VFIO.GROUP_GET_STATUS),
          'ENODEV',
          'GET_STATUS after vfio_pci unbound the group',
        );
        return;
      }
      expectResult(p.ioctl(group, VFIO.GROUP_GET_STATUS), 0, 'GET_STATUS after vfio_pci unbound the group');
      const container = openContainer(p);
      setContainer(p, group, container);
      setIommu(p, container);
      expectRefused(sys, 'GET_DEVICE_FD on a group that is not viable', 'EINVAL', () =>
        p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString(coherentDevice)),
      );
    },
  },
];
