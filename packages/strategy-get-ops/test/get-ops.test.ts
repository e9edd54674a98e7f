import { boot, countersDelta, errno, groupAttr, groupFd, KVM, qemuFixture } from '@coupling-lab/lab';
import { GetOpsNoFileRefStrategy, GetOpsStrategy } from '@coupling-lab/strategy-get-ops';

test('importing the package registers get-ops and its no-file-ref variant by name', () => {
  expect(boot({ strategy: 'get-ops' }).strategy).toBeInstanceOf(GetOpsStrategy);
  expect(boot({ strategy: 'get-ops/no-file-ref' }).strategy).toBeInstanceOf(GetOpsNoFileRefStrategy);
});

test('GROUP_ADD costs one symbol lookup, put at once; the rest are indirect calls through the table', () => {
  const sys = boot({ strategy: GetOpsStrategy });
  const fixture = qemuFixture(sys, [27]);
  const before = sys.counters;
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, 27)),
  );
  const cost = countersDelta(before, sys.counters);
  expect(cost).toMatchObject({ symbolLookups: 1, moduleGets: 1, modulePuts: 1 });
  // get_iommu_group to validate, set_kvm, is_enforced_coherent.
  expect(cost.indirectCalls).toBe(3);
});

test('vfio_file_get_ops refuses a file that is not a VFIO group file with -EINVAL', () => {
  const sys = boot({ strategy: GetOpsStrategy });
  const fixture = qemuFixture(sys, [26]);
  const add = groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, fixture.container);
  expect(fixture.qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, add)).toBe(-errno.EINVAL);
});

test('the file KVM holds is what pins vfio while KVM keeps the table', () => {
  const sys = boot({ strategy: GetOpsStrategy });
  const fixture = qemuFixture(sys, [26]);
  const group = groupFd(fixture, 26);
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, group),
  );
  fixture.qemu.close(group);
  fixture.qemu.close(fixture.container);
  const vfioRefcount = (): number | undefined =>
    sys.inspect().modules.find((module) => module.name === 'vfio')?.refcount;
  // vfio_pci's use edge and the group file KVM still holds.
  expect(vfioRefcount()).toBe(2);
  // Tearing the VM down puts the file (kvm_vfio_destroy's fput): only vfio_pci's edge is left.
  fixture.qemu.close(fixture.device);
  fixture.qemu.close(fixture.vm);
  expect(vfioRefcount()).toBe(1);
});

test('no-file-ref: once QEMU closes the group fd, tearing the VM down calls through the table with a freed file', () => {
  const sys = boot({ strategy: GetOpsNoFileRefStrategy });
  const fixture = qemuFixture(sys, [26]);
  const group = groupFd(fixture, 26);
  fixture.qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, group),
  );
  fixture.qemu.close(group);
  fixture.qemu.close(fixture.device);
  expect(() => fixture.qemu.close(fixture.vm)).toThrow(expect.objectContaining({ kind: 'use-after-free' }));
});
