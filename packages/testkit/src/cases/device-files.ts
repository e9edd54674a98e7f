import assert from 'node:assert/strict';
import { IOMMUFD, KVM, type System, VFIO } from '@coupling-lab/lab';
import { expectOk, expectRefused, expectResult } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import { attachPt, bindIommufd, cdevPathOf, fileAdd, fileDel, qemuCdev } from '../device-file-fixtures.js';
import { COHERENT_GROUP, DEVICE_IN_GROUP, NONCOHERENT_GROUP, openGroup, qemu } from '../fixtures.js';

/** Does the booted kernel have VFIO device cdevs and iommufd (v6.6, Yi Liu's cdev series)? */
const hasDeviceFiles = (sys: System): boolean => sys.linux.vfio.deviceCdev === true;

/** On a kernel without device files: opening `path` is -ENOENT (there is no such node) and changes nothing. */
function absent(sys: System, path: string): void {
  const p = sys.spawn('qemu');
  expectRefused(sys, `open(${path}) on a kernel without device files`, 'ENOENT', () => p.open(path));
}

const vm = (sys: System): { assignedDevices: number; noncoherentDma: number } => {
  const first = sys.inspect().vms[0];
  assert.ok(first !== undefined, 'a VM exists');
  return { assignedDevices: first.assignedDevices, noncoherentDma: first.noncoherentDma };
};

/**
 * VFIO device files through KVM [drivers/vfio/device_cdev.c, vfio_main.c, virt/kvm/vfio.c v6.6;
 * drivers/iommu/iommufd/main.c]. On v5.17, which has neither cdevs nor iommufd, each case checks
 * that instead, so every case means something on both kernels.
 */
export const deviceFileCases: readonly ConformanceCase[] = [
  {
    name: 'device files: /dev/iommu and a cdev per bound device exist on v6.6 (open -ENOENT on v5.17)',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      for (const path of ['/dev/iommu', cdevPathOf(COHERENT_GROUP), cdevPathOf(NONCOHERENT_GROUP)]) {
        if (hasDeviceFiles(sys))
          expectResult(p.close(expectOk(p.open(path), `open(${path})`)), 0, `close(${path})`);
        else expectRefused(sys, `open(${path})`, 'ENOENT', () => p.open(path));
      }
      expectRefused(sys, 'open(/dev/vfio/devices/vfio2)', 'ENOENT', () => p.open('/dev/vfio/devices/vfio2'));
    },
  },
  {
    name: 'device files: FILE_ADD of a device fd assigns it, a second ADD is -EEXIST, DEL unassigns, a second DEL -ENOENT (v6.6)',
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) {
        // v5.17 kvm_vfio_group_add: vfio_group_get_external_user refuses a device fd.
        const q = qemu(sys, { add: false });
        const device = expectOk(
          q.process.ioctl(
            q.group(COHERENT_GROUP),
            VFIO.GROUP_GET_DEVICE_FD,
            q.process.userString(DEVICE_IN_GROUP[COHERENT_GROUP] ?? ''),
          ),
          'GET_DEVICE_FD',
        );
        expectRefused(sys, 'FILE_ADD(device fd)', 'EINVAL', () => fileAdd(q.process, q.device, device));
        return;
      }
      const q = qemuCdev(sys, { add: false });
      const p = q.process;
      const device = q.device(COHERENT_GROUP);
      expectResult(fileAdd(p, q.kvmDevice, device), 0, 'FILE_ADD(device)');
      assert.equal(vm(sys).assignedDevices, 1, 'the VM counts the device as assigned');
      expectRefused(sys, 'FILE_ADD(device) again', 'EEXIST', () => fileAdd(p, q.kvmDevice, device));
      expectResult(fileDel(p, q.kvmDevice, device), 0, 'FILE_DEL(device)');
      assert.equal(vm(sys).assignedDevices, 0, 'FILE_DEL ends the assignment');
      expectRefused(sys, 'FILE_DEL(device) again', 'ENOENT', () => fileDel(p, q.kvmDevice, device));
      // A device file and a group file are different files: the group of another device adds beside it.
      expectResult(fileAdd(p, q.kvmDevice, device), 0, 'FILE_ADD(device) after DEL');
    },
  },
  {
    name: "device files: coherency through iommufd is the device's own: the non-coherent device registers noncoherent DMA, once (v6.6)",
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) {
        absent(sys, '/dev/iommu');
        return;
      }
      const q = qemuCdev(sys, { groups: [COHERENT_GROUP, NONCOHERENT_GROUP], add: false });
      const p = q.process;
      expectResult(fileAdd(p, q.kvmDevice, q.device(COHERENT_GROUP)), 0, 'FILE_ADD(coherent device)');
      assert.equal(vm(sys).noncoherentDma, 0, 'vfio_file_enforced_coherent: the coherent device enforces it');
      expectResult(fileAdd(p, q.kvmDevice, q.device(NONCOHERENT_GROUP)), 0, 'FILE_ADD(non-coherent device)');
      assert.equal(vm(sys).noncoherentDma, 1, 'the non-coherent device registers noncoherent DMA once');
      expectResult(fileDel(p, q.kvmDevice, q.device(NONCOHERENT_GROUP)), 0, 'FILE_DEL(non-coherent device)');
      assert.equal(vm(sys).noncoherentDma, 0, 'and its DEL unregisters it');
    },
  },
  {
    name: 'device files: the devices of one IOAS get separate domains when only one enforces coherency (v6.6)',
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) return absent(sys, '/dev/iommu');
      const p = sys.spawn('qemu');
      const iommufd = expectOk(p.open('/dev/iommu'), 'open(/dev/iommu)');
      const ioas = expectOk(p.ioctl(iommufd, IOMMUFD.IOAS_ALLOC), 'IOAS_ALLOC');
      const coherent = expectOk(p.open(cdevPathOf(COHERENT_GROUP)), 'open(coherent cdev)');
      const noncoherent = expectOk(p.open(cdevPathOf(NONCOHERENT_GROUP)), 'open(non-coherent cdev)');
      expectOk(bindIommufd(p, coherent, iommufd), 'BIND(coherent)');
      expectOk(bindIommufd(p, noncoherent, iommufd), 'BIND(non-coherent)');
      const first = expectOk(attachPt(p, coherent, ioas), 'ATTACH(coherent, IOAS)');
      const second = expectOk(attachPt(p, noncoherent, ioas), 'ATTACH(non-coherent, IOAS)');
      assert.notEqual(second, first, 'an enforcing domain cannot take a device whose IOMMU cannot enforce');
      expectRefused(sys, 'ATTACH(non-coherent, the enforcing HWPT)', 'EINVAL', () =>
        attachPt(p, noncoherent, first),
      );
      expectRefused(sys, 'IOMMU_DESTROY(IOAS in use)', 'EBUSY', () =>
        p.ioctl(iommufd, IOMMUFD.DESTROY, p.userInt32(ioas)),
      );
      expectResult(p.ioctl(coherent, VFIO.DEVICE_DETACH_IOMMUFD_PT, p.userInt32(0)), 0, 'DETACH(coherent)');
      expectResult(
        p.ioctl(noncoherent, VFIO.DEVICE_DETACH_IOMMUFD_PT, p.userInt32(0)),
        0,
        'DETACH(non-coherent)',
      );
      expectResult(
        p.ioctl(iommufd, IOMMUFD.DESTROY, p.userInt32(ioas)),
        0,
        'IOMMU_DESTROY(IOAS) once detached',
      );
      expectRefused(sys, 'IOMMU_DESTROY(IOAS) again', 'ENOENT', () =>
        p.ioctl(iommufd, IOMMUFD.DESTROY, p.userInt32(ioas)),
      );
    },
  },
  {
    name: 'device files: closing the device fd while KVM holds it keeps the device bound until the kvm-vfio device lets go (v6.6)',
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) return absent(sys, cdevPathOf(COHERENT_GROUP));
      const q = qemuCdev(sys);
      const p = q.process;
      expectResult(p.close(q.device(COHERENT_GROUP)), 0, 'close(device fd)');
      expectResult(p.close(q.iommufd), 0, 'close(/dev/iommu)');
      assert.equal(vm(sys).assignedDevices, 1, 'KVM still holds the device file');
      // The file KVM holds keeps the bind: its group path stays blocked and its driver pinned.
      expectRefused(sys, `open(/dev/vfio/${COHERENT_GROUP}) while the cdev is bound`, 'EBUSY', () =>
        p.open(`/dev/vfio/${COHERENT_GROUP}`),
      );
      expectResult(
        sys.rmmod('vfio_pci'),
        'EWOULDBLOCK',
        'rmmod vfio_pci while KVM holds the bound device file',
      );
      expectResult(p.close(q.kvmDevice), 0, 'close(kvm-vfio device): kvm_vfio_release lets the file go');
      assert.equal(vm(sys).assignedDevices, 0, 'the device is no longer assigned');
      expectResult(
        p.close(expectOk(p.open(`/dev/vfio/${COHERENT_GROUP}`), 'open(group)')),
        0,
        'the group opens again',
      );
    },
  },
  {
    name: 'device files: unbind: rmmod vfio_pci is -EWOULDBLOCK while a cdev is open, bound or not, and removes the cdevs once closed (v6.6)',
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys))
        return expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci with nothing open');
      const p = sys.spawn('qemu');
      const path = cdevPathOf(COHERENT_GROUP);
      const unbound = expectOk(p.open(path), `open(${path})`);
      expectRefused(sys, 'rmmod vfio_pci with an unbound cdev open', 'EWOULDBLOCK', () =>
        sys.rmmod('vfio_pci'),
      );
      const iommufd = expectOk(p.open('/dev/iommu'), 'open(/dev/iommu)');
      expectOk(bindIommufd(p, unbound, iommufd), 'BIND');
      expectRefused(sys, 'rmmod vfio_pci with a bound cdev open', 'EWOULDBLOCK', () => sys.rmmod('vfio_pci'));
      expectResult(p.close(unbound), 0, 'close(cdev)');
      expectResult(sys.rmmod('vfio_pci'), 0, 'rmmod vfio_pci once the cdev is closed');
      expectRefused(sys, `open(${path}) after the unbind`, 'ENOENT', () => p.open(path));
      expectResult(sys.modprobe('vfio_pci'), 0, 'modprobe vfio_pci');
      expectResult(p.close(expectOk(p.open(path), `open(${path}) after the rebind`)), 0, 'close(cdev)');
    },
  },
  {
    name: 'device files: bad input on a cdev: -EINVAL before BIND, BIND -EFAULT/-EINVAL/-EBADF/-EBADFD/-EINVAL twice, ATTACH -ENOENT (v6.6)',
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) return absent(sys, cdevPathOf(COHERENT_GROUP));
      const p = sys.spawn('qemu');
      const device = expectOk(p.open(cdevPathOf(COHERENT_GROUP)), 'open(cdev)');
      const iommufd = expectOk(p.open('/dev/iommu'), 'open(/dev/iommu)');
      const kvm = expectOk(p.open('/dev/kvm'), 'open(/dev/kvm)');
      // vfio_device_fops_unl_ioctl: nothing but BIND before access is granted.
      expectRefused(sys, 'ATTACH before BIND', 'EINVAL', () => attachPt(p, device, 1));
      expectRefused(sys, 'DETACH before BIND', 'EINVAL', () =>
        p.ioctl(device, VFIO.DEVICE_DETACH_IOMMUFD_PT, 0),
      );
      expectRefused(sys, 'BIND with an unreadable address', 'EFAULT', () =>
        p.ioctl(device, VFIO.DEVICE_BIND_IOMMUFD, 0xdead_beef),
      );
      expectRefused(sys, 'BIND with a negative fd', 'EINVAL', () => bindIommufd(p, device, -1));
      expectRefused(sys, 'BIND with an fd that is not open', 'EBADF', () => bindIommufd(p, device, 1000));
      expectRefused(sys, 'BIND with /dev/kvm (iommufd_ctx_from_fd)', 'EBADFD', () =>
        bindIommufd(p, device, kvm),
      );
      expectOk(bindIommufd(p, device, iommufd), 'BIND');
      expectResult(
        bindIommufd(p, device, iommufd),
        'EINVAL',
        'BIND twice: "one device cannot be bound twice"',
      );
      expectResult(attachPt(p, device, 999), 'ENOENT', 'ATTACH to an id iommufd does not have');
      expectResult(p.ioctl(device, 0x3b00 | 0xff), 'ENOTTY', 'an ioctl vfio_pci does not know');
      expectResult(
        p.ioctl(iommufd, IOMMUFD.DESTROY, 0xdead_beef),
        'EFAULT',
        'IOMMU_DESTROY with an unreadable address',
      );
    },
  },
  {
    name: 'device files: the group path and the cdev path exclude each other (-EBUSY both ways) (v6.6)',
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) return absent(sys, '/dev/iommu');
      const p = sys.spawn('qemu');
      const device = expectOk(p.open(cdevPathOf(COHERENT_GROUP)), 'open(cdev)');
      const iommufd = expectOk(p.open('/dev/iommu'), 'open(/dev/iommu)');
      const group = openGroup(p, COHERENT_GROUP);
      // vfio_device_block_group: the group fd is open.
      expectRefused(sys, 'BIND while the group fd is open', 'EBUSY', () => bindIommufd(p, device, iommufd));
      expectResult(p.close(group), 0, 'close(group)');
      expectOk(bindIommufd(p, device, iommufd), 'BIND once the group fd is closed');
      // vfio_group_fops_open: cdev_device_open_cnt.
      expectRefused(sys, 'open(group) while the cdev is bound', 'EBUSY', () =>
        p.open(`/dev/vfio/${COHERENT_GROUP}`),
      );
      // A device fd from the group path: "BIND_IOMMUFD only allowed for cdev fds".
      const q = qemu(sys, { groups: [NONCOHERENT_GROUP], add: false, name: 'legacy' });
      const legacy = expectOk(
        q.process.ioctl(
          q.group(NONCOHERENT_GROUP),
          VFIO.GROUP_GET_DEVICE_FD,
          q.process.userString(DEVICE_IN_GROUP[NONCOHERENT_GROUP] ?? ''),
        ),
        'GET_DEVICE_FD',
      );
      const otherIommufd = expectOk(q.process.open('/dev/iommu'), 'open(/dev/iommu)');
      expectRefused(sys, "BIND of a group's device fd", 'EINVAL', () =>
        bindIommufd(q.process, legacy, otherIommufd),
      );
    },
  },
  {
    name: "device files: FILE_ADD before BIND (QEMU's order): the bind takes the VM, which outlives its fds until the device closes (v6.6)",
    run(sys) {
      sys.modprobeAll();
      if (!hasDeviceFiles(sys)) return absent(sys, cdevPathOf(COHERENT_GROUP));
      const p = sys.spawn('qemu');
      const iommufd = expectOk(p.open('/dev/iommu'), 'open(/dev/iommu)');
      const ioas = expectOk(p.ioctl(iommufd, IOMMUFD.IOAS_ALLOC), 'IOAS_ALLOC');
      const device = expectOk(p.open(cdevPathOf(COHERENT_GROUP)), 'open(cdev)');
      const kvm = expectOk(p.open('/dev/kvm'), 'open(/dev/kvm)');
      const vmFd = expectOk(p.ioctl(kvm, KVM.CREATE_VM), 'KVM_CREATE_VM');
      const kvmDevice = expectOk(
        p.ioctl(vmFd, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }),
        'CREATE_DEVICE',
      );
      // Documentation/virt/kvm/devices/vfio.rst: FILE_ADD "should be invoked before VFIO_DEVICE_BIND_IOMMUFD".
      expectResult(fileAdd(p, kvmDevice, device), 0, 'FILE_ADD(unbound device)');
      expectOk(bindIommufd(p, device, iommufd), 'BIND: vfio_df_get_kvm_safe takes the VM set by FILE_ADD');
      expectOk(attachPt(p, device, ioas), 'ATTACH');
      expectResult(p.close(kvmDevice), 0, 'close(kvm-vfio device)');
      expectResult(p.close(vmFd), 0, 'close(VM)');
      assert.equal(sys.inspect().vms.length, 1, 'the bound device still holds the VM (device->kvm)');
      expectResult(p.close(device), 0, 'close(device): vfio_df_unbind_iommufd puts the VM');
      assert.equal(sys.inspect().vms.length, 0, 'the VM goes with the last reference');
    },
  },
];
