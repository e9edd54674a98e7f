import {
  boot,
  errno,
  groupAttr,
  groupFd,
  KVM,
  type LinuxName,
  qemuFixture,
  type System,
} from '@coupling-lab/lab';
import { DirectStrategy } from '@coupling-lab/strategy-direct';

// direct's own contract, in its own package: whatever the shared suites say, a missing
// symbol_put or fput, a wrong symbol or a wrong match shows here as a wrong errno, a reference
// left behind, or a module that cannot unload.

const kernels: LinuxName[] = ['v5.17', 'v6.6'];

const vfioRefcount = (sys: System): number | undefined =>
  sys.inspect().modules.find((module) => module.name === 'vfio')?.refcount;

function setup(linux: LinuxName) {
  const sys = boot({ strategy: DirectStrategy, linux });
  // Every module loaded, nothing open: the references vfio has from load-time edges alone.
  expect(sys.modprobeAll()).toBe(0);
  const baseline = vfioRefcount(sys);
  const q = qemuFixture(sys, [26, 27]);
  const attr = (kind: number, fd: number): number =>
    q.qemu.ioctl(q.device, KVM.SET_DEVICE_ATTR, groupAttr(q.qemu, kind, fd));
  const add = (fd: number): number => attr(KVM.DEV_VFIO_GROUP_ADD, fd);
  const del = (fd: number): number => attr(KVM.DEV_VFIO_GROUP_DEL, fd);
  const closeAll = (): void => {
    for (const fd of [...q.groups.values(), q.container, q.device, q.vm, q.kvm])
      expect(q.qemu.close(fd)).toBe(0);
  };
  return { sys, q, baseline, add, del, closeAll };
}

describe.each(kernels)('direct on Linux %s', (linux) => {
  test('GROUP_ADD of the non-coherent group 27 registers noncoherent DMA once; the coherent 26 alone does not; DEL takes it back', () => {
    // One group per container: v5.17's type1 answers DMA_CC_IOMMU for the container's whole domain.
    const coherent = boot({ strategy: DirectStrategy, linux });
    const q26 = qemuFixture(coherent, [26]);
    const add26 = q26.qemu.ioctl(
      q26.device,
      KVM.SET_DEVICE_ATTR,
      groupAttr(q26.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(q26, 26)),
    );
    expect(add26).toBe(0);
    expect(coherent.inspect().vms[0]?.noncoherentDma).toBe(0);
    const sys = boot({ strategy: DirectStrategy, linux });
    const q = qemuFixture(sys, [27]);
    const attr = (kind: number): number =>
      q.qemu.ioctl(q.device, KVM.SET_DEVICE_ATTR, groupAttr(q.qemu, kind, groupFd(q, 27)));
    expect(attr(KVM.DEV_VFIO_GROUP_ADD)).toBe(0);
    expect(sys.inspect().vms[0]?.noncoherentDma).toBe(1);
    expect(attr(KVM.DEV_VFIO_GROUP_DEL)).toBe(0);
    expect(sys.inspect().vms[0]?.noncoherentDma).toBe(0);
    expect(sys.inspect().violations).toEqual([]);
  });

  test('the same group twice is -EEXIST (another group is not), DEL of one never added -ENOENT, DEL of the one added 0, a second DEL -ENOENT', () => {
    const { q, add, del } = setup(linux);
    expect(add(groupFd(q, 26))).toBe(0);
    expect(add(groupFd(q, 26))).toBe(-errno.EEXIST);
    expect(del(groupFd(q, 27))).toBe(-errno.ENOENT);
    // A different group is no duplicate.
    expect(add(groupFd(q, 27))).toBe(0);
    expect(del(groupFd(q, 26))).toBe(0);
    expect(del(groupFd(q, 26))).toBe(-errno.ENOENT);
    expect(del(groupFd(q, 27))).toBe(0);
  });

  test('a file that is no group (the container, /dev/kvm) is refused with -EINVAL, and KVM lets go of it: every reference returns', () => {
    const { sys, q, baseline, add, closeAll } = setup(linux);
    expect(add(q.container)).toBe(-errno.EINVAL);
    expect(add(q.kvm)).toBe(-errno.EINVAL);
    closeAll();
    expect(vfioRefcount(sys)).toBe(baseline);
    expect(sys.teardown()).toEqual([]);
    expect(sys.inspect().violations).toEqual([]);
  });

  test('ADD, DEL, ADD again and the VM torn down with the group still added: every symbol and file reference is put', () => {
    const { sys, q, baseline, add, del, closeAll } = setup(linux);
    expect(add(groupFd(q, 26))).toBe(0);
    expect(del(groupFd(q, 26))).toBe(0);
    expect(add(groupFd(q, 27))).toBe(0);
    closeAll();
    expect(vfioRefcount(sys)).toBe(baseline);
    expect(sys.teardown()).toEqual([]);
    expect(sys.inspect().violations).toEqual([]);
  });
});

test.each(['v5.17', 'v6.6'] as const)(
  "direct on %s: kvm imports every VFIO function its device calls (not v5.17's SPAPR-only iommu id), and no run-time link",
  (linux) => {
    const sys = boot({ strategy: DirectStrategy, linux });
    const imports = sys.kernel.image('kvm')?.imports ?? [];
    expect(imports.length).toBeGreaterThan(0);
    expect(imports).not.toContain('vfio_external_user_iommu_id');
    expect(imports).toContain(linux === 'v5.17' ? 'vfio_group_get_external_user' : 'vfio_file_is_valid');
    expect(new DirectStrategy().runtimeEdges).toEqual([]);
    expect(new DirectStrategy().kernels).toEqual({ 'v5.17': true, 'v6.6': true });
    expect(new DirectStrategy().summary).toMatch(/kvm imports VFIO at load/);
  },
);
