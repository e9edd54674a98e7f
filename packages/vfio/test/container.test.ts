import { errno } from '@coupling-lab/kernel';
import { VFIO } from '@coupling-lab/vfio';
import { attach, groupFd, ok, vfioKernel } from './helpers';

test('VFIO_GET_API_VERSION on the container returns VFIO_API_VERSION, 0', () => {
  const p = vfioKernel().spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open');
  expect(p.ioctl(container, VFIO.GET_API_VERSION)).toBe(0);
  // vfio_fops_unl_ioctl ignores the argument of VFIO_GET_API_VERSION (a type1 IOMMU number is no extension query).
  expect(p.ioctl(container, VFIO.GET_API_VERSION, VFIO.TYPE1v2_IOMMU)).toBe(0);
});

test('before an IOMMU is set, VFIO_CHECK_EXTENSION answers 1 for the type1 IOMMU types and 0 for the others', () => {
  const p = vfioKernel().spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open');
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.TYPE1_IOMMU)).toBe(1);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.TYPE1v2_IOMMU)).toBe(1);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.SPAPR_TCE_IOMMU)).toBe(0);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.NOIOMMU_IOMMU)).toBe(0);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, 0x7777)).toBe(0);
});

test('VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) is 0 before VFIO_SET_IOMMU and 1 after it for a coherent group', () => {
  const kernel = vfioKernel();
  const { p, container } = attach(kernel, [26], { iommu: false });
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(0);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(0);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(1);
});

test('a container holding a non-coherent group does not enforce coherency, until that group leaves it', () => {
  const kernel = vfioKernel();
  const attached = attach(kernel, [26, 27]);
  const { p, container } = attached;
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(0);
  expect(p.ioctl(groupFd(attached, 27), VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(1);
});

test('VFIO_SET_IOMMU on a container with no group attached gives -EINVAL', () => {
  const p = vfioKernel().spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open');
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(-errno.EINVAL);
});

test('VFIO_SET_IOMMU on a container whose IOMMU is already set gives -EINVAL', () => {
  const { p, container } = attach(vfioKernel(), [26]);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(-errno.EINVAL);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1_IOMMU)).toBe(-errno.EINVAL);
});

test('VFIO_SET_IOMMU of a type no backend supports gives -ENODEV and leaves the IOMMU unset', () => {
  const { p, container } = attach(vfioKernel(), [26], { iommu: false });
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.SPAPR_TCE_IOMMU)).toBe(-errno.ENODEV);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.NOIOMMU_IOMMU)).toBe(-errno.ENODEV);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1_IOMMU)).toBe(0);
});

test("an unknown container ioctl gives -EINVAL before an IOMMU is set and the backend's -ENOTTY after", () => {
  const { p, container } = attach(vfioKernel(), [26], { iommu: false });
  expect(p.ioctl(container, 0x3b99)).toBe(-errno.EINVAL);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(0);
  expect(p.ioctl(container, 0x3b99)).toBe(-errno.ENOTTY);
});

test('the last group leaving a container unsets its IOMMU, so VFIO_SET_IOMMU works again once a group is back', () => {
  const attached = attach(vfioKernel(), [26]);
  const { p, container } = attached;
  const group = groupFd(attached, 26);
  expect(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER)).toBe(0);
  expect(p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU)).toBe(0);
  expect(p.ioctl(container, 0x3b99)).toBe(-errno.EINVAL);
  expect(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container))).toBe(0);
  expect(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU)).toBe(0);
});
