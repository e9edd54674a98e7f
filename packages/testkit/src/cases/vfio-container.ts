import { VFIO } from '@coupling-lab/lab';
import { expectRefused, expectResult } from '../assertions.js';
import type { ConformanceCase } from '../conformance/case.js';
import { COHERENT_GROUP, openContainer, openGroup, setContainer, setIommu } from '../fixtures.js';

/** /dev/vfio/vfio's ioctls [drivers/vfio/vfio.c v5.17 vfio_fops_unl_ioctl, type1 folded in] (SPEC 4). */
export const vfioContainerCases: readonly ConformanceCase[] = [
  {
    name: 'vfio container: VFIO_GET_API_VERSION is VFIO_API_VERSION (0)',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      expectResult(p.ioctl(openContainer(p), VFIO.GET_API_VERSION), 0, 'VFIO_GET_API_VERSION');
    },
  },
  {
    name: 'vfio container: VFIO_CHECK_EXTENSION answers 1 for the type1 IOMMUs and 0 for other extensions',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const container = openContainer(p);
      const check = (extension: number): number => p.ioctl(container, VFIO.CHECK_EXTENSION, extension);
      const expectations = (when: string): void => {
        expectResult(check(VFIO.TYPE1_IOMMU), 1, `CHECK_EXTENSION(TYPE1) ${when}`);
        expectResult(check(VFIO.TYPE1v2_IOMMU), 1, `CHECK_EXTENSION(TYPE1v2) ${when}`);
        for (const extension of [VFIO.SPAPR_TCE_IOMMU, VFIO.NOIOMMU_IOMMU, 0, 99]) {
          expectResult(check(extension), 0, `CHECK_EXTENSION(${extension}) ${when}`);
        }
      };
      expectations('before SET_IOMMU');
      // VFIO_DMA_CC_IOMMU needs an IOMMU domain: 0 until SET_IOMMU.
      expectResult(check(VFIO.DMA_CC_IOMMU), 0, 'CHECK_EXTENSION(DMA_CC_IOMMU) before SET_IOMMU');
      setContainer(p, openGroup(p, COHERENT_GROUP), container);
      setIommu(p, container);
      expectations('after SET_IOMMU');
    },
  },
  {
    name: 'vfio container: VFIO_SET_IOMMU with no group attached is -EINVAL',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const container = openContainer(p);
      expectRefused(sys, 'VFIO_SET_IOMMU on an empty container', 'EINVAL', () =>
        p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
      );
    },
  },
  {
    name: 'vfio container: VFIO_SET_IOMMU twice is -EINVAL',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const container = openContainer(p);
      setContainer(p, openGroup(p, COHERENT_GROUP), container);
      setIommu(p, container);
      for (const type of [VFIO.TYPE1v2_IOMMU, VFIO.TYPE1_IOMMU]) {
        expectRefused(sys, `second VFIO_SET_IOMMU(${type})`, 'EINVAL', () =>
          p.ioctl(container, VFIO.SET_IOMMU, type),
        );
      }
    },
  },
  {
    name: 'vfio container: VFIO_SET_IOMMU with an IOMMU type no backend supports is -ENODEV',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const container = openContainer(p);
      setContainer(p, openGroup(p, COHERENT_GROUP), container);
      for (const type of [VFIO.SPAPR_TCE_IOMMU, VFIO.NOIOMMU_IOMMU, 0, 99]) {
        expectRefused(sys, `VFIO_SET_IOMMU(${type})`, 'ENODEV', () =>
          p.ioctl(container, VFIO.SET_IOMMU, type),
        );
      }
      setIommu(p, container);
    },
  },
  {
    name: 'vfio container: an unknown ioctl is -EINVAL without an IOMMU and -ENOTTY with one',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const container = openContainer(p);
      const unknown = [VFIO.GROUP_GET_STATUS, VFIO.GROUP_SET_CONTAINER, 0, 0xffff_ffff];
      for (const request of unknown) {
        expectRefused(sys, `ioctl(container, 0x${request.toString(16)}) without an IOMMU`, 'EINVAL', () =>
          p.ioctl(container, request, 0),
        );
      }
      setContainer(p, openGroup(p, COHERENT_GROUP), container);
      setIommu(p, container);
      for (const request of unknown) {
        expectRefused(sys, `ioctl(container, 0x${request.toString(16)}) with type1 set`, 'ENOTTY', () =>
          p.ioctl(container, request, 0),
        );
      }
    },
  },
  {
    name: 'vfio container: the last group leaving unsets the IOMMU, and it can be set again',
    run(sys) {
      sys.modprobeAll();
      const p = sys.spawn('qemu');
      const container = openContainer(p);
      const group = openGroup(p, COHERENT_GROUP);
      setContainer(p, group, container);
      setIommu(p, container);
      expectResult(p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER), 0, 'VFIO_GROUP_UNSET_CONTAINER');
      // __vfio_group_unset_container: the last group out releases the IOMMU driver.
      expectResult(
        p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.DMA_CC_IOMMU),
        0,
        'DMA_CC_IOMMU with no IOMMU',
      );
      expectRefused(sys, 'VFIO_SET_IOMMU on the emptied container', 'EINVAL', () =>
        p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
      );
      setContainer(p, group, container);
      setIommu(p, container);
    },
  },
];
