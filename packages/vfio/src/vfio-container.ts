import { KernelObject, type Module } from '@coupling-lab/kernel';
import type { VfioGroup } from './vfio-group.js';

/** `struct vfio_container`: the groups attached to it and the IOMMU driver set on it (type1 only). */
export class VfioContainer extends KernelObject {
  readonly groups = new Set<VfioGroup>();
  iommuType: number | null = null;

  constructor(owner: Module, id: number) {
    super(`vfio container ${id}`, owner);
  }

  /** type1's VFIO_DMA_CC_IOMMU: the IOMMU enforces coherency only if it does for every group in the container. */
  get enforcesCoherency(): boolean {
    if (this.iommuType === null) return false;
    for (const group of this.groups) if (!group.coherent) return false;
    return true;
  }
}
