import { errno, Kernel } from '@coupling-lab/kernel';
import {
  defaultDevices,
  type FileApi,
  fileExportsV66,
  getOpsExports,
  type GetOpsApi,
  type KvmRef,
  type VfioFileOps,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { attach, fileOf, groupOf, ok, vfioKernel } from './helpers';

// The functions KVM reaches VFIO through when it holds the group file: v5.19's three
// (vfio_file_iommu_group, vfio_file_enforced_coherent, vfio_file_set_kvm, kept to v5.17's
// container-user contract here) and the seed patch's vfio_file_get_ops table.

const symbol = <T>(kernel: Kernel, name: string): T => {
  const fn = kernel.symbolGet<T>(name);
  if (fn === null) throw new Error(`vfio does not export ${name}`);
  return fn;
};

const vm = (name: string): KvmRef => name as unknown as KvmRef;

test('vfio_file_iommu_group: the id of a group that is attached with an IOMMU, else null (container, bare group, no IOMMU)', () => {
  const kernel = vfioKernel();
  const iommuGroup = symbol<FileApi['vfio_file_iommu_group']>(kernel, 'vfio_file_iommu_group');
  const ready = attach(kernel, [26]);
  const noIommu = attach(kernel, [27], { iommu: false });
  expect(iommuGroup(fileOf(ready.p, ready.groups.get(26) ?? -1))).toBe(26);
  expect(iommuGroup(fileOf(ready.p, ready.container))).toBeNull();
  expect(iommuGroup(fileOf(noIommu.p, noIommu.groups.get(27) ?? -1))).toBeNull();
});

test('vfio_file_enforced_coherent: per container domain (a non-coherent group in it makes it false); true for a file that is no group', () => {
  const kernel = vfioKernel();
  const coherent = symbol<FileApi['vfio_file_enforced_coherent']>(kernel, 'vfio_file_enforced_coherent');
  const alone = attach(kernel, [26]);
  expect(coherent(fileOf(alone.p, alone.groups.get(26) ?? -1))).toBe(true);
  expect(coherent(fileOf(alone.p, alone.container))).toBe(true);
  const kernel2 = vfioKernel();
  const coherent2 = symbol<FileApi['vfio_file_enforced_coherent']>(kernel2, 'vfio_file_enforced_coherent');
  const both = attach(kernel2, [26, 27]);
  expect(coherent2(fileOf(both.p, both.groups.get(26) ?? -1))).toBe(false);
});

test('vfio_file_set_kvm: a VM counts one container user while it holds the group; null lets it go and the last user dissolves the container', () => {
  const kernel = vfioKernel();
  const setKvm = symbol<FileApi['vfio_file_set_kvm']>(kernel, 'vfio_file_set_kvm');
  const { p, groups, container } = attach(kernel, [26]);
  const file = fileOf(p, groups.get(26) ?? -1);
  // KVM holds the file it was given (fget), as the file-based strategies do.
  kernel.fget(file);
  setKvm(file, vm('vm1'));
  setKvm(file, vm('vm2'));
  expect(groupOf(kernel, 26)).toMatchObject({ kvm: vm('vm2'), containerUsers: 3 });
  setKvm(fileOf(p, container), vm('vm1'));
  ok(p.close(groups.get(26) ?? -1), 'close group');
  expect(groupOf(kernel, 26).containerUsers).toBe(2);
  setKvm(file, null);
  setKvm(file, null);
  expect(groupOf(kernel, 26)).toMatchObject({ kvm: null, containerUsers: 0, container: null });
  // With no VM holding it, another null changes nothing.
  setKvm(file, null);
  expect(groupOf(kernel, 26).containerUsers).toBe(0);
  kernel.fput(file);
});

test('vfio_file_get_ops: -EINVAL for a file that is no group; the table validates, answers coherency and sets the VM (v5.17 contract)', () => {
  const kernel = vfioKernel();
  const getOps = symbol<GetOpsApi['vfio_file_get_ops']>(kernel, 'vfio_file_get_ops');
  const { p, groups, container } = attach(kernel, [27]);
  expect(getOps(fileOf(p, container))).toBe(-errno.EINVAL);
  const ops = getOps(fileOf(p, groups.get(27) ?? -1)) as VfioFileOps;
  const file = fileOf(p, groups.get(27) ?? -1);
  expect(ops.get_iommu_group(file)).toBe(27);
  expect(ops.is_enforced_coherent(file)).toBe(false);
  ops.set_kvm(file, vm('vm1'));
  expect(groupOf(kernel, 27).kvm).toBe(vm('vm1'));
  ops.set_kvm(file, null);
  expect(groupOf(kernel, 27).kvm).toBeNull();
});

test('on v6.6 the table needs no container for the group id, and set_kvm takes kvm_ref_lock', () => {
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66, getOpsExports], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false },
    }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  const getOps = symbol<GetOpsApi['vfio_file_get_ops']>(kernel, 'vfio_file_get_ops');
  const ops = getOps(fileOf(p, group)) as VfioFileOps;
  expect(ops.get_iommu_group(fileOf(p, group))).toBe(26);
  expect(ops.is_enforced_coherent(fileOf(p, group))).toBe(true);
  const locks: string[] = [];
  kernel.hook = (point, subject) => {
    if (point === 'lock') locks.push(subject);
  };
  ops.set_kvm(fileOf(p, group), vm('vm1'));
  kernel.hook = undefined;
  expect(locks).toEqual(['vfio_group.kvm_ref_lock']);
  expect(groupOf(kernel, 26).kvm).toBe(vm('vm1'));
});
