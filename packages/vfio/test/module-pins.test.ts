import { errno, Kernel, O_TRUNC } from '@coupling-lab/kernel';
import {
  defaultDevices,
  externalUserExports,
  VFIO,
  vfioImage,
  vfioPciImage,
  vfioState,
} from '@coupling-lab/vfio';
import { attach, groupFd, groupOf, ok, refcount, vfioKernel, violationFrom } from './helpers';

test('vfio_pci uses vfio: loading it holds one reference on vfio and nothing on itself', () => {
  const kernel = vfioKernel();
  expect(refcount(kernel, 'vfio')).toBe(1);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
  expect([...(kernel.findModule('vfio')?.usedBy ?? [])].map((module) => module.name)).toEqual(['vfio_pci']);
});

test('container and group files pin vfio, one reference each, and not vfio_pci', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  expect(refcount(kernel, 'vfio')).toBe(2);
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  expect(refcount(kernel, 'vfio')).toBe(3);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
  expect(p.close(group)).toBe(0);
  expect(p.close(container)).toBe(0);
  expect(refcount(kernel, 'vfio')).toBe(1);
});

test('a device fd pins vfio and vfio_pci until it closes', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  const vfioBefore = refcount(kernel, 'vfio') ?? 0;
  const pciBefore = refcount(kernel, 'vfio_pci') ?? 0;
  const device = ok(
    p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')),
    'GET_DEVICE_FD',
  );
  expect(refcount(kernel, 'vfio')).toBe(vfioBefore + 1);
  expect(refcount(kernel, 'vfio_pci')).toBe(pciBefore + 1);
  expect(p.close(device)).toBe(0);
  expect(refcount(kernel, 'vfio')).toBe(vfioBefore);
  expect(refcount(kernel, 'vfio_pci')).toBe(pciBefore);
});

test('while a group sits in a container, rmmod vfio_pci goes GOING and sleeps in vfio_unregister_group_dev (v5.17 container_q)', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  expect(kernel.findModule('vfio_pci')?.state).toBe('GOING');
  expect(kernel.sleepingTasks().map((sleeping) => [sleeping.syscall, sleeping.sleep.wq.name])).toEqual([
    ['delete_module(vfio_pci)', 'vfio group 26 container_q'],
  ]);
  // The device is on the unbound_list: the group stays viable and in its container while the unbind waits.
  expect(attached.p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_STATUS)).toBe(
    VFIO.GROUP_FLAGS_VIABLE | VFIO.GROUP_FLAGS_CONTAINER_SET,
  );
});

test('in that window GET_DEVICE_FD no longer finds the device: -ENODEV (v5.17 vfio_device_get_from_name)', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  const { p } = attached;
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  const name = p.userString('0000:01:00.0');
  expect(p.ioctl(groupFd(attached, 26), VFIO.GROUP_GET_DEVICE_FD, name)).toBe(-errno.ENODEV);
  expect(refcount(kernel, 'vfio_pci')).toBe(0);
});

test('a device of a group not yet reached by the unbind is found, but try_module_get(vfio_pci) fails while it is GOING: -ENODEV', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26, 27]);
  const { p } = attached;
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  const name = p.userString('0000:02:00.0');
  expect(p.ioctl(groupFd(attached, 27), VFIO.GROUP_GET_DEVICE_FD, name)).toBe(-errno.ENODEV);
});

test('when the group leaves its container the sleeping unbind is woken: vfio_pci unloads, every reference back to zero', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26, 27]);
  const { p } = attached;
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  expect(p.close(groupFd(attached, 26))).toBe(0);
  // Group 26 left; the unbind moved on to group 27 and sleeps there now.
  expect(kernel.sleepingTasks().map((sleeping) => sleeping.sleep.wq.name)).toEqual([
    'vfio group 27 container_q',
  ]);
  expect(p.close(groupFd(attached, 27))).toBe(0);
  expect(kernel.findModule('vfio_pci')).toBeUndefined();
  expect(kernel.sleepingTasks()).toEqual([]);
  expect(p.close(attached.container)).toBe(0);
  expect(refcount(kernel, 'vfio')).toBe(0);
  expect(kernel.deleteModule('vfio')).toBe(0);
  kernel.checkLeaks();
  expect(kernel.violations).toEqual([]);
});

test('once the group has left its container, rmmod vfio_pci succeeds', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26]);
  ok(attached.p.ioctl(groupFd(attached, 26), VFIO.GROUP_UNSET_CONTAINER), 'UNSET_CONTAINER');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
});

test('unloading vfio_pci removes the group nodes and leaves an open group valid but not viable', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.devicePaths()).toEqual(['/dev/vfio/vfio']);
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(0);
  expect(groupOf(kernel, 26).viable).toBe(false);
  expect(p.open('/dev/vfio/26')).toBe(-errno.ENOENT);
  expect(vfioState(kernel)?.groups.has(27)).toBe(false);
});

test('reloading vfio_pci while a group file is open makes that group viable again and keeps it after the file closes', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  expect(kernel.modprobe('vfio_pci')).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(VFIO.GROUP_FLAGS_VIABLE);
  expect(p.close(group)).toBe(0);
  expect(groupOf(kernel, 26).viable).toBe(true);
  const again = p.open('/dev/vfio/26');
  expect(again).toBeGreaterThanOrEqual(0);
  expect(p.close(again)).toBe(0);
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  expect(kernel.deleteModule('vfio')).toBe(0);
  expect(kernel.devicePaths()).toEqual([]);
  expect(() => kernel.checkLeaks()).not.toThrow();
});

test('vfio cannot unload while vfio_pci is loaded, not even forced', () => {
  const kernel = vfioKernel({ forceUnload: true });
  expect(kernel.deleteModule('vfio')).toBe(-errno.EWOULDBLOCK);
  expect(kernel.deleteModule('vfio', O_TRUNC)).toBe(-errno.EWOULDBLOCK);
  expect(kernel.tainted).toBe(false);
});

test('without forceUnload, O_TRUNC does not force vfio out from under an open group', () => {
  const kernel = vfioKernel();
  kernel.spawn('qemu').open('/dev/vfio/26');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  expect(kernel.deleteModule('vfio', O_TRUNC)).toBe(-errno.EWOULDBLOCK);
  expect(kernel.findModule('vfio')?.state).toBe('LIVE');
  expect(kernel.tainted).toBe(false);
});

test('a forced unload of vfio with a group still referenced raises dangling-reference and taints the kernel', () => {
  const kernel = new Kernel({ forceUnload: true });
  kernel.registerImage(vfioImage([externalUserExports]));
  kernel.registerImage(vfioPciImage(defaultDevices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  kernel.spawn('qemu').open('/dev/vfio/26');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  const violation = violationFrom(() => kernel.deleteModule('vfio', O_TRUNC));
  expect(violation.kind).toBe('dangling-reference');
  expect(violation.module).toBe('vfio');
  expect(violation.object).toBe('vfio group 26');
  expect(kernel.tainted).toBe(true);
  expect(kernel.violations).toEqual([violation]);
});

test('in record mode the forced unload completes, and the group file left open is then a use-after-free', () => {
  const kernel = vfioKernel({ forceUnload: true, onViolation: 'record' });
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  expect(kernel.deleteModule('vfio', O_TRUNC)).toBe(0);
  expect(kernel.findModule('vfio')).toBeUndefined();
  expect(kernel.violations.map((violation) => violation.kind)).toEqual(['dangling-reference']);
  p.ioctl(group, VFIO.GROUP_GET_STATUS);
  const later = kernel.violations.slice(1).map((violation) => violation.kind);
  expect(later.length).toBeGreaterThan(0);
  expect(later.every((kind) => kind === 'use-after-free')).toBe(true);
});

test('a group that joined a container while unbound makes the next rmmod vfio_pci sleep once vfio_pci has bound it again', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open group');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  ok(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER');
  expect(kernel.modprobe('vfio_pci')).toBe(0);
  expect(p.ioctl(group, VFIO.GROUP_GET_STATUS)).toBe(
    VFIO.GROUP_FLAGS_VIABLE | VFIO.GROUP_FLAGS_CONTAINER_SET,
  );
  expect(kernel.deleteModule('vfio_pci')).toBe(-errno.EINPROGRESS);
  ok(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER), 'UNSET_CONTAINER');
  expect(kernel.findModule('vfio_pci')).toBeUndefined();
});

test('after a forced unload, what KASAN and the WARN print names the objects: the group, its fops and the containers by number', () => {
  const kernel = vfioKernel({ forceUnload: true, onViolation: 'record' });
  const p = kernel.spawn('qemu');
  const group = ok(p.open('/dev/vfio/26'), 'open');
  ok(p.open('/dev/vfio/vfio'), 'first container');
  const second = ok(p.open('/dev/vfio/vfio'), 'second container');
  ok(kernel.deleteModule('vfio_pci'), 'rmmod vfio_pci');
  expect(kernel.deleteModule('vfio', O_TRUNC)).toBe(0);
  p.ioctl(group, VFIO.GROUP_GET_STATUS);
  p.ioctl(second, VFIO.GET_API_VERSION);
  expect(kernel.violations.map((violation) => violation.message)).toEqual([
    // The open group file's reference is the one left.
    'dangling-reference: vfio exits while vfio group 26 is still referenced (1)',
    'use-after-free: vfio-group operation of freed module vfio called',
    'use-after-free: access to freed vfio group 26',
    'use-after-free: vfio-container operation of freed module vfio called',
    'use-after-free: access to freed vfio container 2',
  ]);
});
