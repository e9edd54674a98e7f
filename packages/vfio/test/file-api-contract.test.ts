import { Kernel, O_TRUNC } from '@coupling-lab/kernel';
import {
  type FileApi,
  type FileApiV65,
  fileExportsV65,
  getOpsExports,
  type GetOpsApi,
  type KvmRef,
  type PciDeviceConfig,
  type VfioBehaviour,
  type VfioFileOps,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { attach, fileOf, groupFd, groupOf, ok, vfioKernel } from './helpers';

// The file API's answers where the v5.17 contract and the file-based kernels part ways.

const vm = (name: string): KvmRef => name as unknown as KvmRef;

function symbol<T>(kernel: Kernel, name: string): T {
  const fn = kernel.symbolGet<T>(name);
  if (fn === null) throw new Error(`vfio does not export ${name}`);
  return fn;
}

/** One IOMMU group (30) of two devices, only the second of which has an IOMMU enforcing coherency. */
const mixedGroup: readonly PciDeviceConfig[] = [
  { address: '0000:05:00.0', iommuGroup: 30, coherent: false },
  { address: '0000:05:00.1', iommuGroup: 30, coherent: true },
];

function fileKernel(behaviour: VfioBehaviour, devices: readonly PciDeviceConfig[]): Kernel {
  const kernel = new Kernel();
  kernel.registerImage(vfioImage([fileExportsV65, getOpsExports], { behaviour }));
  kernel.registerImage(vfioPciImage(devices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  return kernel;
}

const v61: VfioBehaviour = { groups: 'file', setKvmLock: 'group_lock', holdsVm: false };

test('v6.5 vfio_file_enforced_coherent asks every device of the group: one without enforced coherency makes it false', () => {
  const kernel = fileKernel(v61, mixedGroup);
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/30'), 'open');
  expect(
    symbol<FileApiV65['vfio_file_enforced_coherent']>(
      kernel,
      'vfio_file_enforced_coherent',
    )(fileOf(p, group)),
  ).toBe(false);
});

test('before 2b48f52f2bff, vfio_file_set_kvm sets the VM under group_lock', () => {
  const kernel = fileKernel(v61, mixedGroup);
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/30'), 'open');
  const locks: string[] = [];
  kernel.hook = (point, subject) => {
    if (point === 'lock') locks.push(subject);
  };
  symbol<FileApiV65['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm')(fileOf(p, group), vm('vm1'));
  kernel.hook = undefined;
  expect(locks).toEqual(['vfio_group.group_lock']);
  expect(groupOf(kernel, 30).kvm).toBe(vm('vm1'));
});

describe('v5.17 contract (vfio_file_set_kvm counts the VM as a container user)', () => {
  test('a VM set on a group outside any container is no container user', () => {
    const kernel = vfioKernel();
    const p = kernel.spawn('qemu');
    const group = ok(p.open('/dev/vfio/26'), 'open');
    symbol<FileApi['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm')(fileOf(p, group), vm('vm1'));
    expect(groupOf(kernel, 26)).toMatchObject({ kvm: vm('vm1'), kvmUsers: 0, containerUsers: 0 });
  });

  test('set_kvm(null) from no VM does not take the group fd out of its container', () => {
    const kernel = vfioKernel();
    const a = attach(kernel, [26]);
    symbol<FileApi['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm')(fileOf(a.p, groupFd(a, 26)), null);
    expect(groupOf(kernel, 26)).toMatchObject({ kvmUsers: 0, containerUsers: 1 });
    expect(groupOf(kernel, 26).container).not.toBeNull();
  });

  test("get_ops's get_iommu_group keeps v5.17's check: a group with no container has no id for KVM", () => {
    const kernel = vfioKernel();
    const p = kernel.spawn('qemu');
    const group = ok(p.open('/dev/vfio/26'), 'open');
    const ops = symbol<GetOpsApi['vfio_file_get_ops']>(
      kernel,
      'vfio_file_get_ops',
    )(fileOf(p, group)) as VfioFileOps;
    expect(ops.get_iommu_group(fileOf(p, group))).toBeNull();
  });
});

test('a call through the get_ops table after vfio is forced out is KASAN naming the table and the function', () => {
  const kernel = vfioKernel({ forceUnload: true, onViolation: 'record' });
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  const ops = symbol<GetOpsApi['vfio_file_get_ops']>(
    kernel,
    'vfio_file_get_ops',
  )(fileOf(p, group)) as VfioFileOps;
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  kernel.deleteModule('vfio', O_TRUNC);
  ops.set_kvm(fileOf(p, group), null);
  expect(kernel.violations.map((violation) => violation.message)).toContain(
    'use-after-free: call to vfio_group_file_ops.set_kvm of freed module vfio',
  );
});

test('v6.5 vfio_file_is_group: a group file, with or without a container, and nothing else; the other two ignore a file that is no group', () => {
  const kernel = fileKernel(v61, mixedGroup);
  const p = kernel.spawn('qemu');
  const group = fileOf(p, ok(p.open('/dev/vfio/30'), 'open group'));
  const container = fileOf(p, ok(p.open('/dev/vfio/vfio'), 'open container'));
  const isGroup = symbol<FileApiV65['vfio_file_is_group']>(kernel, 'vfio_file_is_group');
  expect([isGroup(group), isGroup(container)]).toEqual([true, false]);
  // "Not a vfio file": coherent as far as KVM is concerned, and set_kvm does nothing.
  expect(
    symbol<FileApiV65['vfio_file_enforced_coherent']>(kernel, 'vfio_file_enforced_coherent')(container),
  ).toBe(true);
  symbol<FileApiV65['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm')(container, vm('vm1'));
  expect(groupOf(kernel, 30).kvm).toBeNull();
});

test('v5.19 vfio_file_enforced_coherent of a group with no container yet is true ("the user must do so before they can prove they have permission")', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  // Group 27's device is not coherent, but without a container there is no domain to ask.
  const group = ok(p.open('/dev/vfio/27'), 'open');
  expect(
    symbol<FileApi['vfio_file_enforced_coherent']>(kernel, 'vfio_file_enforced_coherent')(fileOf(p, group)),
  ).toBe(true);
});

test('v5.17 contract: a VM let go once is one container user fewer; letting go again keeps the group fd in its container', () => {
  const kernel = vfioKernel();
  const a = attach(kernel, [26]);
  const setKvm = symbol<FileApi['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm');
  const file = fileOf(a.p, groupFd(a, 26));
  setKvm(file, vm('vm1'));
  expect(groupOf(kernel, 26)).toMatchObject({ kvmUsers: 1, containerUsers: 2 });
  setKvm(file, null);
  expect(groupOf(kernel, 26)).toMatchObject({ kvmUsers: 0, containerUsers: 1 });
  setKvm(file, null);
  expect(groupOf(kernel, 26)).toMatchObject({ kvmUsers: 0, containerUsers: 1 });
  expect(groupOf(kernel, 26).container).not.toBeNull();
});
