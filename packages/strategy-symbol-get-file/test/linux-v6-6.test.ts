import {
  boot,
  errno,
  groupAttr,
  groupFd,
  KVM,
  type PreemptionPoint,
  qemuFixture,
  type QemuFixture,
  type System,
  VFIO,
} from '@coupling-lab/lab';
import '@coupling-lab/strategy-symbol-get-file';

// symbol-get-file on v6.6 is what Linux v6.6 runs (virt/kvm/vfio.c, drivers/vfio/group.c, vfio_main.c).

function v66(): { sys: System; q: QemuFixture } {
  const sys = boot({ strategy: 'symbol-get-file', linux: 'v6.6' });
  return { sys, q: qemuFixture(sys, [26]) };
}

const add = (q: QemuFixture, fd: number): number =>
  q.qemu.ioctl(q.device, KVM.SET_DEVICE_ATTR, groupAttr(q.qemu, KVM.DEV_VFIO_FILE_ADD, fd));
const del = (q: QemuFixture, fd: number): number =>
  q.qemu.ioctl(q.device, KVM.SET_DEVICE_ATTR, groupAttr(q.qemu, KVM.DEV_VFIO_FILE_DEL, fd));
const group26 = (sys: System) => sys.inspect().groups.find((group) => group.id === 26);

/** The preemption points `run` passes, as `point subject`. */
function pointsOf(sys: System, run: () => void): string[] {
  const points: string[] = [];
  sys.kernel.hook = (point: PreemptionPoint, subject: string) => points.push(`${point} ${subject}`);
  run();
  sys.kernel.hook = undefined;
  return points;
}

test('KVM_DEV_VFIO_FILE_ADD/DEL are the GROUP attributes under v6.6 names', () => {
  expect([KVM.DEV_VFIO_FILE, KVM.DEV_VFIO_FILE_ADD, KVM.DEV_VFIO_FILE_DEL]).toEqual([
    KVM.DEV_VFIO_GROUP,
    KVM.DEV_VFIO_GROUP_ADD,
    KVM.DEV_VFIO_GROUP_DEL,
  ]);
});

test('the file validation is vfio_file_is_valid: a group file without a container is taken, a KVM fd is -EINVAL', () => {
  const sys = boot({ strategy: 'symbol-get-file', linux: 'v6.6' });
  sys.modprobeAll();
  const p = sys.spawn('qemu');
  const group = p.open('/dev/vfio/26');
  const vm = p.ioctl(p.open('/dev/kvm'), KVM.CREATE_VM);
  const device = p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  const attr = (fd: number) => ({
    group: KVM.DEV_VFIO_FILE,
    attr: KVM.DEV_VFIO_FILE_ADD,
    addr: p.userInt32(fd),
  });
  expect(p.ioctl(device, KVM.SET_DEVICE_ATTR, attr(group))).toBe(0);
  expect(p.ioctl(device, KVM.SET_DEVICE_ATTR, attr(vm))).toBe(-errno.EINVAL);
  expect(group26(sys)).toMatchObject({ kvm: 1, containerUsers: 0 });
});

test('UNSET_CONTAINER succeeds while KVM holds the group: KVM holds the file and is no container user', () => {
  const { sys, q } = v66();
  expect(add(q, groupFd(q, 26))).toBe(0);
  expect(group26(sys)).toMatchObject({ kvm: 1, containerUsers: 1 });
  expect(q.qemu.ioctl(groupFd(q, 26), VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  expect(group26(sys)).toMatchObject({ kvm: 1, containerUsers: 0 });
});

test("the group leaves its container only at its file's last fput (vfio_group_fops_release), which KVM's reference holds off", () => {
  const { sys, q } = v66();
  const fd = groupFd(q, 26);
  expect(add(q, fd)).toBe(0);
  expect(q.qemu.close(fd)).toBe(0);
  // No ->flush on v6.6: the user's close leaves the group in its container and still opened.
  expect(group26(sys)).toMatchObject({ containerUsers: 1, kvm: 1 });
  expect(q.qemu.open('/dev/vfio/26')).toBe(-errno.EBUSY);
  // kvm_vfio_release's fput is KVM's last reference: the release detaches the container.
  expect(q.qemu.close(q.device)).toBe(0);
  expect(group26(sys)).toMatchObject({ containerUsers: 0, kvm: null });
  expect(q.qemu.open('/dev/vfio/26')).toBeGreaterThanOrEqual(3);
});

test('set_kvm takes kvm_ref_lock (2b48f52f2bff) and coherency device_lock, neither group_lock', () => {
  const { sys, q } = v66();
  const locks = pointsOf(sys, () => add(q, groupFd(q, 26))).filter((point) => point.startsWith('lock '));
  expect(locks).toEqual([
    'lock kvm_vfio.lock',
    'lock vfio_group.kvm_ref_lock',
    'lock vfio_group.device_lock',
  ]);
});

test('kvm-vfio is .release-based (51cdc8bc120e): closing its fd lets the groups go while the VM lives', () => {
  const { sys, q } = v66();
  expect(add(q, groupFd(q, 26))).toBe(0);
  expect(q.qemu.close(q.device)).toBe(0);
  expect(sys.inspect().vms).toEqual([{ id: 1, devices: [], assignedDevices: 0, noncoherentDma: 0 }]);
  expect(group26(sys)).toMatchObject({ kvm: null });
});

test("VFIO holds the VM from a device's first open to its last close, through kvm_get_kvm_safe/kvm_put_kvm under kvm_ref_lock", () => {
  const { sys, q } = v66();
  expect(add(q, groupFd(q, 26))).toBe(0);
  const kvmBefore = sys.kernel.findModule('kvm')?.refcount ?? 0;
  let device = -1;
  const points = pointsOf(sys, () => {
    device = q.qemu.ioctl(groupFd(q, 26), VFIO.GROUP_GET_DEVICE_FD, q.qemu.userString('0000:01:00.0'));
  });
  expect(device).toBeGreaterThanOrEqual(3);
  const lookups = points.filter((point) => point.startsWith('symbol-lookup '));
  expect(lookups).toEqual(['symbol-lookup kvm_put_kvm', 'symbol-lookup kvm_get_kvm_safe']);
  const refLock = points.indexOf('lock vfio_group.kvm_ref_lock');
  expect(refLock).toBeGreaterThan(points.indexOf('lock vfio_device_set.lock'));
  expect(refLock).toBeLessThan(points.indexOf('symbol-lookup kvm_put_kvm'));
  // symbol_get(kvm_put_kvm) is kept until the put: kvm.ko stays pinned while VFIO holds the VM.
  expect(sys.kernel.findModule('kvm')?.refcount).toBe(kvmBefore + 1);
  expect(q.qemu.close(q.device)).toBe(0);
  expect(q.qemu.close(q.vm)).toBe(0);
  expect(sys.inspect().vms.map((vm) => vm.id)).toEqual([1]);
  // The device's last close is VFIO's kvm_put_kvm, the VM's last reference.
  expect(q.qemu.close(device)).toBe(0);
  expect(sys.inspect().vms).toEqual([]);
  // Gone with the VM: its reference on kvm, its fd's and the kvm-vfio fd's; /dev/kvm's fd stays.
  expect(sys.kernel.findModule('kvm')?.refcount).toBe(kvmBefore - 3);
});

test('symbol lookups are counted in both directions: three by KVM for FILE_ADD, two by VFIO for a device open', () => {
  const { sys, q } = v66();
  const before = sys.counters.symbolLookups;
  expect(add(q, groupFd(q, 26))).toBe(0);
  expect(sys.counters.symbolLookups - before).toBe(3);
  const middle = sys.counters.symbolLookups;
  q.qemu.ioctl(groupFd(q, 26), VFIO.GROUP_GET_DEVICE_FD, q.qemu.userString('0000:01:00.0'));
  expect(sys.counters.symbolLookups - middle).toBe(2);
  expect(del(q, groupFd(q, 26))).toBe(0);
});
