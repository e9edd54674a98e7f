import { errno } from '@coupling-lab/kernel';
import { KVM } from '@coupling-lab/kvm';
import { add, del, groupAttr, groupFd, ok, onlyVm, rig, vmm } from './helpers';

// One test per row of SPEC 5's kvm-vfio table [virt/kvm/vfio.c v5.17].

test('a second kvm-vfio device on one VM gives -EBUSY and leaves the first in place', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  const fds = v.p.fds.size;
  expect(v.p.ioctl(v.vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBe(-errno.EBUSY);
  expect(v.p.fds.size).toBe(fds);
  expect(onlyVm(kernel).devices.map((dev) => dev.ops.name)).toEqual(['kvm-vfio']);
  expect(onlyVm(kernel).users).toBe(2);
});

test('each VM gets its own kvm-vfio device', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  const second = ok(v.p.ioctl(v.kvm, KVM.CREATE_VM), 'second VM');
  expect(v.p.ioctl(second, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })).toBeGreaterThanOrEqual(0);
});

test('SET_DEVICE_ATTR with a group other than KVM_DEV_VFIO_GROUP gives -ENXIO', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  const attr = { ...groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, groupFd(v, 1)), group: 2 };
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, attr)).toBe(-errno.ENXIO);
  expect(port.calls).toEqual([]);
});

test('SET_DEVICE_ATTR with an attr KVM_DEV_VFIO_GROUP does not know gives -ENXIO', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, 99, groupFd(v, 1)))).toBe(-errno.ENXIO);
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, 0, groupFd(v, 1)))).toBe(-errno.ENXIO);
  expect(port.calls).toEqual([]);
});

test('GROUP_ADD reading the fd from an unreadable address gives -EFAULT and acquires nothing', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  const unreadable = { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_ADD, addr: 0x1000 };
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, unreadable)).toBe(-errno.EFAULT);
  const notAnInt = { ...unreadable, addr: v.p.userString('3') };
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, notAnInt)).toBe(-errno.EFAULT);
  expect(port.calls).toEqual([]);
});

test('GROUP_DEL reading the fd from an unreadable address gives -EFAULT and keeps the group', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  const unreadable = { group: KVM.DEV_VFIO_GROUP, attr: KVM.DEV_VFIO_GROUP_DEL, addr: 0x1000 };
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, unreadable)).toBe(-errno.EFAULT);
  expect(port.held).toBe(1);
  expect(onlyVm(kernel).assignedDevices).toBe(1);
});

test('GROUP_ADD and GROUP_DEL of an fd that is not open give -EBADF', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, 77))).toBe(
    -errno.EBADF,
  );
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_DEL, 77))).toBe(
    -errno.EBADF,
  );
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, -1))).toBe(
    -errno.EBADF,
  );
  expect(port.calls).toEqual([]);
});

test("GROUP_ADD of a file the port refuses returns the port's errno and assigns nothing", () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, v.kvm))).toBe(
    -errno.EINVAL,
  );
  port.refusal = -errno.EPERM;
  expect(add(v, 1)).toBe(-errno.EPERM);
  expect(onlyVm(kernel).assignedDevices).toBe(0);
  expect(port.calls).toEqual([]);
});

test('GROUP_ADD of a group already added gives -EEXIST and releases the duplicate it acquired', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  expect(add(v, 1)).toBe(-errno.EEXIST);
  const secondFd = ok(v.p.open('/dev/fake-group/1'), 'second open of group 1');
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, secondFd))).toBe(
    -errno.EEXIST,
  );
  expect(port.calls).toEqual([
    'acquire 1',
    'set_kvm 1 vm1',
    'acquire 1',
    'release 1',
    'acquire 1',
    'release 1',
  ]);
  expect(port.held).toBe(1);
  expect(onlyVm(kernel).assignedDevices).toBe(1);
});

test('GROUP_DEL of a group not added, or of an fd that is no group, gives -ENOENT', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  expect(del(v, 2)).toBe(-errno.ENOENT);
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_DEL, v.kvm))).toBe(
    -errno.ENOENT,
  );
  expect(port.held).toBe(1);
  expect(onlyVm(kernel).assignedDevices).toBe(1);
});

test('GROUP_SET_SPAPR_TCE gives -ENXIO: this is not a PPC host', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  ok(add(v, 1), 'add');
  expect(
    v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_SET_SPAPR_TCE, groupFd(v, 1))),
  ).toBe(-errno.ENXIO);
  expect(port.calls).toEqual(['acquire 1', 'set_kvm 1 vm1']);
});

test('HAS_DEVICE_ATTR is 0 for GROUP_ADD and GROUP_DEL and -ENXIO for anything else', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  const has = (group: number, attr: number): number =>
    v.p.ioctl(v.device, KVM.HAS_DEVICE_ATTR, { group, attr, addr: 0 });
  expect(has(KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_ADD)).toBe(0);
  expect(has(KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_DEL)).toBe(0);
  expect(has(KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP_SET_SPAPR_TCE)).toBe(-errno.ENXIO);
  expect(has(KVM.DEV_VFIO_GROUP, 99)).toBe(-errno.ENXIO);
  expect(has(2, KVM.DEV_VFIO_GROUP_ADD)).toBe(-errno.ENXIO);
});

test('GET_DEVICE_ATTR gives -EPERM: the kvm-vfio device has no get_attr', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  expect(
    v.p.ioctl(v.device, KVM.GET_DEVICE_ATTR, groupAttr(v.p, KVM.DEV_VFIO_GROUP_ADD, groupFd(v, 1))),
  ).toBe(-errno.EPERM);
});

test('an ioctl the device layer does not know gives -ENOTTY', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  expect(v.p.ioctl(v.device, KVM.CREATE_VM)).toBe(-errno.ENOTTY);
  expect(v.p.ioctl(v.device, 0xae99)).toBe(-errno.ENOTTY);
});

test('attribute ioctls whose struct cannot be read give -EFAULT', () => {
  const { kernel } = rig();
  const v = vmm(kernel);
  expect(v.p.ioctl(v.device, KVM.SET_DEVICE_ATTR, 0x1000)).toBe(-errno.EFAULT);
  expect(v.p.ioctl(v.device, KVM.HAS_DEVICE_ATTR)).toBe(-errno.EFAULT);
});

test('GROUP_ADD acquires the group, then tells it the VM; GROUP_DEL tells it null, then releases it', () => {
  const { kernel, port } = rig();
  const v = vmm(kernel);
  expect(add(v, 1)).toBe(0);
  expect(del(v, 1)).toBe(0);
  expect(port.calls).toEqual(['acquire 1', 'set_kvm 1 vm1', 'set_kvm 1 null', 'release 1']);
  expect(port.held).toBe(0);
  expect(del(v, 1)).toBe(-errno.ENOENT);
});
