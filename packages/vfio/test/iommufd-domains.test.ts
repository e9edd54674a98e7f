import { errno, Kernel, type Process } from '@coupling-lab/kernel';
import {
  fileExportsV66,
  IOMMUFD,
  type PciDeviceConfig,
  VFIO,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { ok } from './helpers';

// iommufd's auto domains [drivers/iommu/iommufd/device.c iommufd_device_auto_get_domain,
// hw_pagetable.c iommufd_hw_pagetable_enforce_cc] as VFIO_DEVICE_ATTACH_IOMMUFD_PT reaches them.

/** Two devices whose IOMMU enforces cache coherency (vfio0, vfio1) and one whose IOMMU does not (vfio2). */
const devices: readonly PciDeviceConfig[] = [
  { address: '0000:05:00.0', iommuGroup: 30, coherent: true },
  { address: '0000:06:00.0', iommuGroup: 31, coherent: true },
  { address: '0000:07:00.0', iommuGroup: 32, coherent: false },
];

/** A process with /dev/iommu open, one IOAS, and each device's cdev bound to the context. */
function bound(): { p: Process; iommu: number; ioas: number; cdevs: number[] } {
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false, deviceCdev: true },
    }),
  );
  kernel.registerImage(vfioPciImage(devices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  const p = kernel.spawn('qemu');
  const iommu = ok(p.open('/dev/iommu'), 'open /dev/iommu');
  const cdevs = [0, 1, 2].map((index) => {
    const fd = ok(p.open(`/dev/vfio/devices/vfio${index}`), `open vfio${index}`);
    ok(p.ioctl(fd, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommu)), `bind vfio${index}`);
    return fd;
  });
  return { p, iommu, ioas: ok(p.ioctl(iommu, IOMMUFD.IOAS_ALLOC), 'IOAS_ALLOC'), cdevs };
}

test('two capable devices share one enforcing auto domain, which stays while either is attached (-EBUSY) and goes with the last', () => {
  const { p, iommu, ioas, cdevs } = bound();
  const [a, b] = cdevs as [number, number, number];
  const attach = (fd: number, pt: number): number =>
    p.ioctl(fd, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(pt));
  const hwpt = ok(attach(a, ioas), 'attach vfio0');
  expect(attach(b, ioas)).toBe(hwpt);
  const destroy = (id: number): number => p.ioctl(iommu, IOMMUFD.DESTROY, p.userInt32(id));
  expect(p.ioctl(a, VFIO.DEVICE_DETACH_IOMMUFD_PT)).toBe(0);
  expect(destroy(hwpt)).toBe(-errno.EBUSY);
  expect(p.ioctl(b, VFIO.DEVICE_DETACH_IOMMUFD_PT)).toBe(0);
  expect(destroy(hwpt)).toBe(-errno.ENOENT);
});

test("a non-capable device's domain does not enforce: a capable device gets a domain of its own and cannot join it by id (-EINVAL)", () => {
  const { p, ioas, cdevs } = bound();
  const [capable, , plain] = cdevs as [number, number, number];
  const attach = (fd: number, pt: number): number =>
    p.ioctl(fd, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(pt));
  const plainHwpt = ok(attach(plain, ioas), 'attach vfio2');
  // Attaching again, by the domain's own id, finds the domain the device is in.
  expect(attach(plain, plainHwpt)).toBe(plainHwpt);
  // The domain cannot be upgraded to enforce (a device in it cannot), so the capable one is refused it...
  expect(attach(capable, plainHwpt)).toBe(-errno.EINVAL);
  // ... and the IOAS makes it an enforcing one, which takes it by id too.
  const enforcing = ok(attach(capable, ioas), 'attach vfio0');
  expect(enforcing).not.toBe(plainHwpt);
  expect(attach(capable, enforcing)).toBe(enforcing);
});
