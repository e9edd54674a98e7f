export type { DeviceOpsPinning } from './device-ops-table.js';
export { KvmCore } from './kvm-core.js';
export { KvmDevice, type KvmDeviceOps } from './kvm-device.js';
export {
  kvmImage,
  type KvmImageOptions,
  type RegisterDeviceOps,
  type UnregisterDeviceOps,
} from './kvm-module.js';
export { kvmState } from './kvm-state.js';
export { kvmVfioHandles, kvmVfioOps, type KvmVfioOptions } from './kvm-vfio/kvm-vfio-device.js';
export type { KvmVfioPort, SetKvmOrder } from './kvm-vfio/port.js';
export { KVM, type KvmCreateDevice, type KvmDeviceAttr } from './uapi.js';
export { Vm } from './vm.js';
