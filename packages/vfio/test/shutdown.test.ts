import { errno } from '@coupling-lab/kernel';
import { type ExternalUserApi, VFIO } from '@coupling-lab/vfio';
import { attach, fileOf, groupFd, groupOf, ok, refcount, vfioKernel, violationFrom } from './helpers';

/** Everything a QEMU-like process does with VFIO: two groups, the IOMMU, a device fd each, and an external user. */
function busyProcess() {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26, 27]);
  const { p } = attached;
  ok(p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')), 'device 26');
  ok(p.ioctl(groupFd(attached, 27), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:02:00.0')), 'device 27');
  const get = kernel.symbolGet<ExternalUserApi['vfio_group_get_external_user']>(
    'vfio_group_get_external_user',
  );
  if (get === null) throw new Error('symbol_get failed');
  const held = get(fileOf(p, groupFd(attached, 26)));
  kernel.symbolPut('vfio_group_get_external_user');
  if (typeof held === 'number') throw new Error(`external user refused: ${held}`);
  return { kernel, p, held };
}

test('after the process exits and the external user is put, every refcount is back to zero and both modules unload cleanly', () => {
  const { kernel, p, held } = busyProcess();
  expect(refcount(kernel, 'vfio')).toBe(6);
  // Only the two device fds pin vfio_pci (vfio_device_open's try_module_get); a group in a container does not.
  expect(refcount(kernel, 'vfio_pci')).toBe(2);
  expect(p.exit()).toBe(0);
  const put = kernel.symbolGet<ExternalUserApi['vfio_group_put_external_user']>(
    'vfio_group_put_external_user',
  );
  put?.(held);
  kernel.symbolPut('vfio_group_put_external_user');

  expect(refcount(kernel, 'vfio')).toBe(1);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
  for (const id of [26, 27]) {
    expect(groupOf(kernel, id).containerUsers).toBe(0);
    expect(groupOf(kernel, id).refs.count).toBe(1);
  }
  expect(kernel.openFiles()).toEqual([]);
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.deleteModule('vfio')).toBe(0);
  expect(kernel.loadedModules()).toEqual([]);
  expect(() => kernel.checkLeaks()).not.toThrow();
  expect(kernel.violations).toEqual([]);
});

test('an external user that is never put keeps its group in the container: rmmod vfio_pci sleeps for ever, and kmemleak reports the leak', () => {
  const { kernel, p } = busyProcess();
  expect(p.exit()).toBe(0);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  expect(kernel.findModule('vfio_pci')?.state).toBe('GOING');
  expect(violationFrom(() => kernel.checkLeaks()).kind).toBe('leak');
});

test("kmemleak's report of the group an external user never put names it and vfio: two references, the binding's and the external user's", () => {
  const kernel = vfioKernel({ onViolation: 'record' });
  const attached = attach(kernel, [26]);
  const get = kernel.symbolGet<ExternalUserApi['vfio_group_get_external_user']>(
    'vfio_group_get_external_user',
  );
  if (get === null) throw new Error('symbol_get failed');
  expect(typeof get(fileOf(attached.p, groupFd(attached, 26)))).toBe('object');
  kernel.symbolPut('vfio_group_get_external_user');
  expect(attached.p.exit()).toBe(0);
  kernel.checkLeaks();
  expect(kernel.violations.filter((violation) => violation.object === 'vfio group 26')).toMatchObject([
    { kind: 'leak', module: 'vfio', message: 'leak: vfio group 26 still has 2 reference(s) at shutdown' },
  ]);
});
