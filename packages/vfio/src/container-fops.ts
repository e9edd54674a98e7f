import { errno, type File, type FileOperations, type IoctlArg } from '@coupling-lab/kernel';
import { VFIO } from './uapi.js';
import type { VfioContainer } from './vfio-container.js';
import type { VfioCore } from './vfio-core.js';

const supportedIommu = (type: number): boolean => type === VFIO.TYPE1_IOMMU || type === VFIO.TYPE1v2_IOMMU;

/** /dev/vfio/vfio [drivers/vfio/vfio.c v5.17 vfio_fops], with the type1 backend folded in. */
export function containerFops(core: VfioCore): FileOperations {
  return {
    name: 'vfio-container',
    owner: core.module,
    open(file: File): number {
      file.privateData = core.newContainer();
      return 0;
    },
    ioctl(file: File, request: number, arg: IoctlArg): number {
      const container = file.privateData as VfioContainer;
      core.kernel.touch(container);
      // Stryker disable next-line ConditionalExpression: 0, like a struct or no argument, is no IOMMU type and not VFIO_DMA_CC_IOMMU, so every request answers alike
      const value = typeof arg === 'number' ? arg : 0;
      switch (request) {
        case VFIO.GET_API_VERSION:
          return VFIO.API_VERSION;
        case VFIO.CHECK_EXTENSION:
          return checkExtension(container, value);
        case VFIO.SET_IOMMU:
          // vfio_ioctl_set_iommu: a group must be attached and no IOMMU set yet; no backend takes other types.
          if (container.groups.size === 0 || container.iommuType !== null) return -errno.EINVAL;
          if (!supportedIommu(value)) return -errno.ENODEV;
          container.iommuType = value;
          return 0;
        default:
          // Unknown ioctls go to the IOMMU backend if one is set (type1 says -ENOTTY), else -EINVAL.
          return container.iommuType === null ? -errno.EINVAL : -errno.ENOTTY;
      }
    },
  };
}

/** vfio_ioctl_check_extension: before SET_IOMMU type1 answers for its types only; DMA_CC_IOMMU needs a domain. */
function checkExtension(container: VfioContainer, extension: number): number {
  if (supportedIommu(extension)) return 1;
  if (extension === VFIO.DMA_CC_IOMMU) return container.enforcesCoherency ? 1 : 0;
  return 0;
}
