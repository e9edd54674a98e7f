export { type VfioBehaviour, vfioV517 } from './behaviour.js';
export {
  externalUserExports,
  fileExports,
  fileExportsV65,
  fileExportsV66,
  getOpsExports,
  getOpsExportsWithDevices,
  type VfioExportPlan,
} from './export-plans.js';
export type { ExternalUserApi } from './external-user.js';
export type { CdevFile } from './device-cdev.js';
export type { DeviceFile as DeviceFileState } from './group-contract.js';
export type { FileApi, FileApiV65, FileApiV66, GetOpsApi, VfioFileOps } from './file-api.js';
export type { Hwpt, Ioas, IommufdCtx, IommufdDevice } from './iommufd.js';
export type { KvmRef } from './kvm-ref.js';
export { defaultDevices, type PciDeviceConfig } from './pci-device.js';
export { IOMMUFD, VFIO, vfioIoctls } from './uapi.js';
export { VfioContainer } from './vfio-container.js';
export { VfioCore } from './vfio-core.js';
export { VfioGroup, type VfioDevice } from './vfio-group.js';
export { vfioImage, type VfioImageOptions } from './vfio-module.js';
export { vfioPciImage } from './vfio-pci-module.js';
export { vfioState } from './vfio-state.js';
export {
  type HeldVm,
  type KvmGetKvmSafe,
  type KvmPutKvm,
  vmReferenceBySymbolGet,
  type VmReferencePort,
} from './vm-reference.js';
