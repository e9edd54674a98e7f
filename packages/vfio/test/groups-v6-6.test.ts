import { errno, Kernel, type Process } from '@coupling-lab/kernel';
import {
  defaultDevices,
  type FileApiV66,
  fileExportsV66,
  type KvmRef,
  type PciDeviceConfig,
  VFIO,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { fileOf, groupOf, ok, refcount } from './helpers';

// drivers/vfio/group.c and vfio_main.c as of v6.6, in vfio's own tests: the file-based group rules.

/** What the fake reverse port saw: each VM reference VFIO took and put. */
interface Held {
  readonly log: string[];
}

function v66Kernel(): { kernel: Kernel; held: Held } {
  const kernel = new Kernel();
  const held: Held = { log: [] };
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: true },
      vmReference: () => ({
        get: (kvm) => {
          held.log.push(`get ${String(kvm)}`);
          return { kvm, put: () => held.log.push(`put ${String(kvm)}`) };
        },
      }),
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  return { kernel, held };
}

function attach(p: Process, id: number): { group: number; container: number } {
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  const group = ok(p.open(`/dev/vfio/${id}`), `open group ${id}`);
  ok(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER');
  return { group, container };
}

const api = <K extends keyof FileApiV66>(kernel: Kernel, name: K): FileApiV66[K] => {
  const fn = kernel.symbolGet<FileApiV66[K]>(name);
  if (fn === null) throw new Error(`vfio does not export ${name}`);
  return fn;
};

test('a group opens once (-EBUSY), and again after its fd is closed', () => {
  const { kernel } = v66Kernel();
  const p = kernel.spawn('qemu');
  const fd = ok(p.open('/dev/vfio/26'), 'open');
  expect(p.open('/dev/vfio/26')).toBe(-errno.EBUSY);
  ok(p.close(fd), 'close');
  expect(p.open('/dev/vfio/26')).toBeGreaterThanOrEqual(0);
});

test('SET_CONTAINER: an fd not open is -EBADF, a file that is no container -EBADFD, a second one -EINVAL', () => {
  const { kernel } = v66Kernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  const other = ok(p.open('/dev/vfio/27'), 'open group 27');
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(99))).toBe(-errno.EBADF);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(other))).toBe(-errno.EBADFD);
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_VIABLE);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(
    VFIO.GROUP_FLAGS_VIABLE | VFIO.GROUP_FLAGS_CONTAINER_SET,
  );
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(-errno.EINVAL);
});

test('GET_DEVICE_FD: unknown name -ENODEV, no container or no IOMMU -EINVAL; an open device is a container user and pins vfio_pci', () => {
  const { kernel } = v66Kernel();
  const p = kernel.spawn('qemu');
  const lone = ok(p.open('/dev/vfio/27'), 'open 27');
  expect(p.ioctl(lone, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:02:00.0'))).toBe(-errno.EINVAL);
  const { group, container } = attach(p, 26);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:09:00.0'))).toBe(-errno.ENODEV);
  expect(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0'))).toBe(-errno.EINVAL);
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const pinned = refcount(kernel, 'vfio_pci');
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  expect(refcount(kernel, 'vfio_pci')).toBe((pinned ?? 0) + 1);
  expect(groupOf(kernel, 26).containerUsers).toBe(2);
  // Only open devices refuse UNSET_CONTAINER now.
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(-errno.EBUSY);
  ok(p.close(device), 'close device');
  expect(refcount(kernel, 'vfio_pci')).toBe(pinned);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(-errno.EINVAL);
});

test('an open device holds the group file: closing the group fd keeps the container until the device closes', () => {
  const { kernel } = v66Kernel();
  const p = kernel.spawn('qemu');
  const { group, container } = attach(p, 26);
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  ok(p.close(group), 'close group');
  expect(groupOf(kernel, 26).container).not.toBeNull();
  ok(p.close(device), 'close device');
  expect(groupOf(kernel, 26).container).toBeNull();
  expect(p.open('/dev/vfio/26')).toBeGreaterThanOrEqual(0);
});

test("the last driver's unbind detaches the group at once (no container_q): status -ENODEV, SET_CONTAINER -ENODEV, the node gone", () => {
  const { kernel } = v66Kernel();
  const p = kernel.spawn('qemu');
  const { group, container } = attach(p, 26);
  const spare = ok(p.open('/dev/vfio/vfio'), 'second container');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(groupOf(kernel, 26).container).toBeNull();
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(-errno.ENODEV);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(spare))).toBe(-errno.ENODEV);
  expect(p.open('/dev/vfio/27')).toBe(-errno.ENOENT);
  ok(p.close(group), 'close group');
  ok(p.close(container), 'close container');
});

test('the v6.6 file API: a group file is valid and a container is not; coherency per group; set_kvm under kvm_ref_lock; a device open holds the VM', () => {
  const { kernel, held } = v66Kernel();
  const p = kernel.spawn('qemu');
  const { group, container } = attach(p, 26);
  const other = attach(p, 27);
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const isValid = api(kernel, 'vfio_file_is_valid');
  const coherent = api(kernel, 'vfio_file_enforced_coherent');
  const setKvm = api(kernel, 'vfio_file_set_kvm');
  expect(isValid(fileOf(p, group))).toBe(true);
  expect(isValid(fileOf(p, container))).toBe(false);
  expect(coherent(fileOf(p, group))).toBe(true);
  expect(coherent(fileOf(p, other.group))).toBe(false);
  expect(coherent(fileOf(p, container))).toBe(true);
  const locks: string[] = [];
  kernel.hook = (point, subject) => {
    if (point === 'lock') locks.push(subject);
  };
  const vm = 'vm1' as unknown as KvmRef;
  setKvm(fileOf(p, group), vm);
  kernel.hook = undefined;
  expect(locks).toEqual(['vfio_group.kvm_ref_lock']);
  expect(groupOf(kernel, 26).kvm).toBe(vm);
  setKvm(fileOf(p, container), vm);
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  expect(held.log).toEqual(['get vm1']);
  ok(p.close(device), 'close device');
  expect(held.log).toEqual(['get vm1', 'put vm1']);
  setKvm(fileOf(p, group), null);
  expect(groupOf(kernel, 26).kvm).toBeNull();
});

test("a device's first open nests dev_set->lock in group_lock and takes the VM under kvm_ref_lock inside it (vfio_df_group_open), as lockdep records", () => {
  const { kernel } = v66Kernel();
  const p = kernel.spawn('qemu');
  const { group, container } = attach(p, 26);
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  api(kernel, 'vfio_file_set_kvm')(fileOf(p, group), 'vm1' as unknown as KvmRef);
  ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  expect(kernel.lockdep.edges()).toEqual([
    'vfio_group.group_lock -> vfio_device_set.lock',
    'vfio_device_set.lock -> vfio_group.kvm_ref_lock',
  ]);
});

test("the v6.6 file API takes a group's device fd too (same vfio_device_fops): valid, the device's own coherency, df->kvm set", () => {
  const { kernel, held } = v66Kernel();
  const p = kernel.spawn('qemu');
  const { group, container } = attach(p, 27);
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const device = ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:02:00.0')), 'GET_DEVICE_FD');
  const file = fileOf(p, device);
  expect(api(kernel, 'vfio_file_is_valid')(file)).toBe(true);
  // Group 27's device has no IOMMU_CAP_ENFORCE_CACHE_COHERENCY (a file that is no VFIO file answers true).
  expect(api(kernel, 'vfio_file_enforced_coherent')(file)).toBe(false);
  const locks: string[] = [];
  kernel.hook = (point, subject) => {
    if (point === 'lock') locks.push(subject);
  };
  api(kernel, 'vfio_file_set_kvm')(file, 'vm1' as unknown as KvmRef);
  kernel.hook = undefined;
  // vfio_device_file_set_kvm: the file's own df->kvm_ref_lock (vfio_allocate_device_file), not the group's.
  expect(locks).toEqual(['vfio_device_file.kvm_ref_lock']);
  expect((file.privateData as { kvm?: KvmRef | null }).kvm).toBe('vm1');
  // The group's VM is not set by it, and the device, open already, took none.
  expect(groupOf(kernel, 27).kvm).toBeNull();
  expect(held.log).toEqual([]);
});

test("only a device's first open takes the VM and runs the driver's open_device with it; the last close puts it (vfio_df_device_first_open)", () => {
  const log: string[] = [];
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: true },
      vmReference: () => ({
        get: (kvm) => {
          log.push(`get ${String(kvm)}`);
          return {
            kvm,
            put: () => log.push(`put ${String(kvm)}`),
            openDevice: () => log.push(`open_device with ${String(kvm)}`),
          };
        },
      }),
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const p = kernel.spawn('qemu');
  const { group, container } = attach(p, 26);
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  api(kernel, 'vfio_file_set_kvm')(fileOf(p, group), 'vm1' as unknown as KvmRef);
  const open = (): number =>
    ok(p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'GET_DEVICE_FD');
  const first = open();
  const second = open();
  expect(log).toEqual(['get vm1', 'open_device with vm1']);
  ok(p.close(first), 'close first');
  expect(log).toEqual(['get vm1', 'open_device with vm1']);
  ok(p.close(second), 'close second');
  expect(log).toEqual(['get vm1', 'open_device with vm1', 'put vm1']);
});

test('a group of two devices opens while one of them is still bound (vfio_unregister_group_dev of the other), and not once neither is', () => {
  const devices: readonly PciDeviceConfig[] = [
    { address: '0000:05:00.0', iommuGroup: 30, coherent: true },
    { address: '0000:05:00.1', iommuGroup: 30, coherent: true },
  ];
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false },
    }),
  );
  kernel.registerImage(vfioPciImage(devices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const unregister = kernel.symbolGet<(config: PciDeviceConfig) => void>('vfio_unregister_group_dev');
  if (unregister === null) throw new Error('vfio exports no vfio_unregister_group_dev');
  unregister(devices[0] as PciDeviceConfig);
  const p = kernel.spawn('qemu');
  ok(p.close(ok(p.open('/dev/vfio/30'), 'open group 30 with one device bound')), 'close group 30');
  kernel.symbolPut('vfio_unregister_group_dev');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(p.open('/dev/vfio/30')).toBe(-errno.ENOENT);
});
