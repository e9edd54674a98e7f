import { KVM, type Process, type System, VFIO } from '@coupling-lab/lab';
import { expectOk, expectRefused, expectResult } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import { COHERENT_GROUP, DEVICE_IN_GROUP, qemu } from '../fixtures.js';

/** fds that are not open: negative, past RLIMIT_NOFILE, huge, and a closed one (added per case). */
const NOT_OPEN = [-1, -(2 ** 31), 1023, 1024, 2 ** 31 - 1];

/** A full QEMU set-up plus a VFIO device fd: every kind of file the model has. */
function everyFile(sys: System): { p: Process; files: [string, number][]; closed: number } {
  sys.modprobeAll();
  const q = qemu(sys);
  const p = q.process;
  const group = q.group(COHERENT_GROUP);
  const deviceFd = expectOk(
    p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString(DEVICE_IN_GROUP[COHERENT_GROUP] ?? '')),
    'GET_DEVICE_FD',
  );
  const closed = expectOk(p.open('/dev/kvm'), 'open(/dev/kvm)');
  expectResult(p.close(closed), 0, 'close(/dev/kvm)');
  const files: [string, number][] = [
    ['group', group],
    ['container', q.container(COHERENT_GROUP)],
    ['/dev/kvm', q.kvm],
    ['VM', q.vm],
    ['kvm-vfio device', q.device],
    ['VFIO device', deviceFd],
  ];
  return { p, files, closed };
}

/** Bad input at every syscall: the right errno, and nothing changed (compared through inspect() and fd tables). */
export const badInputCases: readonly ConformanceCase[] = [
  {
    name: 'bad input: open of a path with no device node is -ENOENT',
    run(sys) {
      const p = sys.spawn('qemu');
      for (const path of ['/dev/kvm', '/dev/vfio/vfio', '/dev/vfio/26']) {
        expectRefused(sys, `open(${path}) before any module is loaded`, 'ENOENT', () => p.open(path));
      }
      sys.modprobeAll();
      for (const path of ['/dev/vfio/28', '/dev/vfio/', '/dev/vfio/026', '/dev/kvm0', '', 'kvm']) {
        expectRefused(sys, `open(${JSON.stringify(path)})`, 'ENOENT', () => p.open(path));
      }
    },
  },
  {
    name: 'bad input: close of an fd that is not open is -EBADF',
    run(sys) {
      const { p, closed } = everyFile(sys);
      for (const fd of [...NOT_OPEN, closed]) expectRefused(sys, `close(${fd})`, 'EBADF', () => p.close(fd));
    },
  },
  {
    name: 'bad input: ioctl on an fd that is not open is -EBADF',
    run(sys) {
      const { p, closed } = everyFile(sys);
      const requests = [
        KVM.CREATE_VM,
        KVM.CREATE_DEVICE,
        KVM.SET_DEVICE_ATTR,
        VFIO.GROUP_SET_CONTAINER,
        VFIO.SET_IOMMU,
        0,
      ];
      for (const fd of [...NOT_OPEN, closed]) {
        for (const request of requests) {
          expectRefused(sys, `ioctl(${fd}, 0x${request.toString(16)})`, 'EBADF', () =>
            p.ioctl(fd, request, 0),
          );
        }
      }
    },
  },
  {
    name: 'bad input: /dev/kvm answers KVM_GET_API_VERSION and refuses other ioctls with -EINVAL',
    run(sys) {
      const { p, files } = everyFile(sys);
      const kvm = files.find(([what]) => what === '/dev/kvm')?.[1] ?? -1;
      expectResult(p.ioctl(kvm, KVM.GET_API_VERSION), KVM.API_VERSION, 'KVM_GET_API_VERSION');
      // x86 kvm_arch_dev_ioctl: -EINVAL for what it does not know.
      for (const request of [KVM.CREATE_DEVICE, KVM.SET_DEVICE_ATTR, VFIO.GROUP_GET_STATUS, 0]) {
        expectRefused(sys, `ioctl(/dev/kvm, 0x${request.toString(16)})`, 'EINVAL', () =>
          p.ioctl(kvm, request, 0),
        );
      }
    },
  },
  {
    name: 'bad input: a VM fd refuses unknown ioctls with -ENOTTY and KVM_CREATE_DEVICE without a struct with -EFAULT',
    run(sys) {
      const { p, files } = everyFile(sys);
      const vm = files.find(([what]) => what === 'VM')?.[1] ?? -1;
      for (const request of [KVM.CREATE_VM, KVM.SET_DEVICE_ATTR, VFIO.GROUP_GET_STATUS, 0]) {
        expectRefused(sys, `ioctl(VM, 0x${request.toString(16)})`, 'ENOTTY', () => p.ioctl(vm, request, 0));
      }
      for (const arg of [undefined, 0, 0xdead_beef]) {
        expectRefused(sys, `KVM_CREATE_DEVICE(${String(arg)})`, 'EFAULT', () =>
          p.ioctl(vm, KVM.CREATE_DEVICE, arg),
        );
      }
    },
  },
  {
    name: 'bad input: SET_DEVICE_ATTR and HAS_DEVICE_ATTR without a struct are -EFAULT',
    run(sys) {
      const { p, files } = everyFile(sys);
      const device = files.find(([what]) => what === 'kvm-vfio device')?.[1] ?? -1;
      for (const request of [KVM.SET_DEVICE_ATTR, KVM.HAS_DEVICE_ATTR]) {
        for (const arg of [
          undefined,
          0,
          { group: KVM.DEV_VFIO_GROUP },
          { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_ADD },
        ]) {
          expectRefused(
            sys,
            `ioctl(kvm-vfio device, 0x${request.toString(16)}, ${JSON.stringify(arg)})`,
            'EFAULT',
            () => p.ioctl(device, request, arg),
          );
        }
      }
    },
  },
  {
    name: 'bad input: VFIO ioctls on files of the wrong kind are refused',
    run(sys) {
      const { p, files } = everyFile(sys);
      const fd = (kind: string): number => files.find(([what]) => what === kind)?.[1] ?? -1;
      // A VFIO device fd has no ioctl the model knows; its ioctl op is absent: -ENOTTY.
      for (const request of [VFIO.GROUP_GET_STATUS, VFIO.GET_API_VERSION, KVM.SET_DEVICE_ATTR]) {
        expectRefused(sys, `ioctl(VFIO device, 0x${request.toString(16)})`, 'ENOTTY', () =>
          p.ioctl(fd('VFIO device'), request, 0),
        );
      }
      // Group ioctls on the container: type1 is set, so -ENOTTY; container ioctls on the group: -ENOTTY.
      expectRefused(sys, 'GROUP_GET_STATUS on the container', 'ENOTTY', () =>
        p.ioctl(fd('container'), VFIO.GROUP_GET_STATUS),
      );
      expectRefused(sys, 'SET_IOMMU on the group', 'ENOTTY', () =>
        p.ioctl(fd('group'), VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
      );
      expectRefused(sys, 'KVM_CREATE_VM on the group', 'ENOTTY', () => p.ioctl(fd('group'), KVM.CREATE_VM));
      expectRefused(sys, 'SET_CONTAINER on the kvm-vfio device', 'ENOTTY', () =>
        p.ioctl(fd('kvm-vfio device'), VFIO.GROUP_SET_CONTAINER),
      );
    },
  },
  {
    name: 'bad input: GROUP_ADD and GROUP_DEL of every non-VFIO file are -EINVAL and -ENOENT (a VFIO device file too on v5.17)',
    run(sys) {
      const { p, files } = everyFile(sys);
      const device = files.find(([what]) => what === 'kvm-vfio device')?.[1] ?? -1;
      const attr = (a: number, fd: number) => ({ group: KVM.DEV_VFIO_GROUP, attr: a, addr: p.userInt32(fd) });
      // v6.6 vfio_file_is_valid accepts a device file too (vfio_device_from_file): see device-files.ts.
      const vfioFiles = sys.linux.vfio.deviceCdev === true ? ['group', 'VFIO device'] : ['group'];
      for (const [what, fd] of files.filter(([kind]) => !vfioFiles.includes(kind))) {
        expectRefused(sys, `GROUP_ADD(${what})`, 'EINVAL', () =>
          p.ioctl(device, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_ADD, fd)),
        );
        expectRefused(sys, `GROUP_DEL(${what})`, 'ENOENT', () =>
          p.ioctl(device, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_DEL, fd)),
        );
      }
    },
  },
];
