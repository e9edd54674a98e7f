import { errno, type Kernel } from '@coupling-lab/kernel';
import { type ExternalUserApi, VFIO } from '@coupling-lab/vfio';
import { attach, fileOf, groupFd, groupOf, ok, refcount, vfioKernel } from './helpers';

/** The v5.17 external-user API as KVM reaches it: through symbol_get, holding a reference on vfio. */
function externalUserApi(kernel: Kernel): ExternalUserApi {
  const names = [
    'vfio_group_get_external_user',
    'vfio_group_put_external_user',
    'vfio_external_group_match_file',
    'vfio_group_set_kvm',
    'vfio_external_check_extension',
    'vfio_external_user_iommu_id',
  ] as const;
  const entries = names.map((name) => {
    const fn = kernel.symbolGet<ExternalUserApi[typeof name]>(name);
    if (fn === null) throw new Error(`symbol_get(${name}) failed`);
    return [name, fn] as const;
  });
  return Object.fromEntries(entries) as unknown as ExternalUserApi;
}

test('vfio_group_get_external_user refuses a file that is not a VFIO group file with -EINVAL', () => {
  const kernel = vfioKernel();
  const { p, container } = attach(kernel, [26]);
  expect(externalUserApi(kernel).vfio_group_get_external_user(fileOf(p, container))).toBe(-errno.EINVAL);
});

test('vfio_group_get_external_user refuses a group with no container with -EINVAL', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(externalUserApi(kernel).vfio_group_get_external_user(fileOf(p, group))).toBe(-errno.EINVAL);
  expect(groupOf(kernel, 26).containerUsers).toBe(0);
});

test('vfio_group_get_external_user refuses a group whose container has no IOMMU set with -EINVAL', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26], { iommu: false });
  const refs = groupOf(kernel, 26).refs.count;
  expect(
    externalUserApi(kernel).vfio_group_get_external_user(fileOf(attached.p, groupFd(attached, 26))),
  ).toBe(-errno.EINVAL);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
  expect(groupOf(kernel, 26).refs.count).toBe(refs);
});

test('vfio_group_get_external_user refuses a group that is not viable with -EINVAL', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  ok(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER');
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  expect(externalUserApi(kernel).vfio_group_get_external_user(fileOf(p, group))).toBe(-errno.EINVAL);
});

test('an accepted external user counts one more container user and one more group reference, both dropped by the put', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const api = externalUserApi(kernel);
  const before = groupOf(kernel, 26).refs.count;
  const group = api.vfio_group_get_external_user(fileOf(attached.p, groupFd(attached, 26)));
  expect(group).toBe(groupOf(kernel, 26));
  expect(groupOf(kernel, 26).containerUsers).toBe(2);
  expect(groupOf(kernel, 26).refs.count).toBe(before + 1);
  if (typeof group === 'number') return;
  api.vfio_group_put_external_user(group);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
  expect(groupOf(kernel, 26).refs.count).toBe(before);
});

test('an external user keeps its group in the container after the group fd closes, holding up an unbind; its put lets the group leave', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const api = externalUserApi(kernel);
  const group = api.vfio_group_get_external_user(fileOf(attached.p, groupFd(attached, 26)));
  if (typeof group === 'number') throw new Error(`refused: ${group}`);
  expect(attached.p.close(groupFd(attached, 26))).toBe(0);
  expect(group.container).not.toBeNull();
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  api.vfio_group_put_external_user(group);
  expect(group.container).toBeNull();
  // The put ran outside any syscall; the woken unbind runs at the next return to user mode, or here.
  kernel.runWoken();
  expect(kernel.findModule('vfio_pci')).toBeUndefined();
});

test('symbol_get of the external-user API holds one reference on vfio per symbol until symbol_put', () => {
  const kernel = vfioKernel();
  const base = refcount(kernel, 'vfio') ?? 0;
  const fn = kernel.symbolGet('vfio_group_get_external_user');
  expect(fn).not.toBeNull();
  expect(refcount(kernel, 'vfio')).toBe(base + 1);
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.deleteModule('vfio')).toBe(-errno.EWOULDBLOCK);
  kernel.symbolPut('vfio_group_get_external_user');
  expect(kernel.deleteModule('vfio')).toBe(0);
});

test("vfio_external_group_match_file matches the group's own file and no other", () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26, 27]);
  const api = externalUserApi(kernel);
  const group = api.vfio_group_get_external_user(fileOf(attached.p, groupFd(attached, 26)));
  if (typeof group === 'number') throw new Error(`refused: ${group}`);
  expect(api.vfio_external_group_match_file(group, fileOf(attached.p, groupFd(attached, 26)))).toBe(true);
  expect(api.vfio_external_group_match_file(group, fileOf(attached.p, groupFd(attached, 27)))).toBe(false);
  expect(api.vfio_external_group_match_file(group, fileOf(attached.p, attached.container))).toBe(false);
  api.vfio_group_put_external_user(group);
});

test("vfio_external_check_extension answers for the group's container and vfio_external_user_iommu_id gives its id", () => {
  const kernel = vfioKernel();
  const coherent = attach(kernel, [26]);
  const mixed = attach(kernel, [27]);
  const api = externalUserApi(kernel);
  const g26 = api.vfio_group_get_external_user(fileOf(coherent.p, groupFd(coherent, 26)));
  const g27 = api.vfio_group_get_external_user(fileOf(mixed.p, groupFd(mixed, 27)));
  if (typeof g26 === 'number' || typeof g27 === 'number') throw new Error('refused');
  expect(api.vfio_external_check_extension(g26, VFIO.DMA_CC_IOMMU)).toBe(1);
  expect(api.vfio_external_check_extension(g27, VFIO.DMA_CC_IOMMU)).toBe(0);
  expect(api.vfio_external_check_extension(g27, VFIO.TYPE1v2_IOMMU)).toBe(1);
  expect(api.vfio_external_user_iommu_id(g26)).toBe(26);
  expect(api.vfio_external_user_iommu_id(g27)).toBe(27);
  api.vfio_group_put_external_user(g26);
  api.vfio_group_put_external_user(g27);
});

test('vfio_group_set_kvm records the VM on the group, and null clears it', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const api = externalUserApi(kernel);
  const group = api.vfio_group_get_external_user(fileOf(attached.p, groupFd(attached, 26)));
  if (typeof group === 'number') throw new Error(`refused: ${group}`);
  api.vfio_group_set_kvm(group, { id: 7 });
  expect(groupOf(kernel, 26).kvm).toEqual({ id: 7 });
  api.vfio_group_set_kvm(group, null);
  expect(groupOf(kernel, 26).kvm).toBeNull();
  api.vfio_group_put_external_user(group);
});
