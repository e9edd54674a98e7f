import 'reflect-metadata';

export { boot, MACHINE, resolveStrategy, UnsupportedKernelError, type BootOptions } from './boot.js';
export { BootOptionsError } from './boot-options.js';
export { Checkpoint, CheckpointError } from './checkpoint.js';
export { checkpointSystem, systemFingerprint } from './system-checkpoint.js';
export { StateFingerprint } from './state-fingerprint.js';
export {
  DEFAULT_LINUX,
  isLinuxName,
  linuxNames,
  linuxVersions,
  type LinuxName,
  type LinuxVersion,
} from './linux.js';
export { BuiltinDeviceStrategy } from './builtin-device-strategy.js';
export { fileHoldingPort, type VfioFileCalls } from './file-holding-port.js';
export {
  inspectKernel,
  type GroupSnapshot,
  type ModuleSnapshot,
  type SleepingSnapshot,
  type Snapshot,
  type VmSnapshot,
} from './inspect.js';
export { checkAssociations } from './invariants.js';
export { standardModules, type StandardModules } from './modules.js';
export {
  constructStrategy,
  COUPLING_STRATEGY,
  couplingStrategy,
  registeredStrategies,
  registeredStrategyClasses,
  registeredStrategyNames,
  registerStrategy,
  UnknownStrategyError,
  type StrategyClass,
} from './registry.js';
export {
  isVariant,
  kernelsOf,
  runsOn,
  type CouplingEdge,
  type CouplingStrategy,
  type Machine,
} from './strategy.js';
export { strategyContractProblem } from './strategy-contract.js';
export { System } from './system.js';
export { deviceFileWiring, groupFilesOnly, type KernelCode, type StrategyWiring } from './wiring.js';

// The kernel, VFIO and KVM models, re-exported: strategies, scenarios and examples import only from here.
export {
  countersDelta,
  counterNames,
  errno,
  errnoName,
  File,
  isKernelViolation,
  Kernel,
  KernelObject,
  KernelViolation,
  LockDep,
  Module,
  Mutex,
  O_TRUNC,
  Process,
  Sleep,
  Tracer,
  WaitQueue,
  afterSleep,
  forEachMaySleep,
  waitEvent,
  type CounterSnapshot,
  type ErrnoName,
  type ExportDecl,
  type FileOperations,
  type IoctlArg,
  type LockDependency,
  type MaySleep,
  type ModuleBody,
  type ModuleContext,
  type ModuleImage,
  type ModuleState,
  type PreemptionHook,
  type PreemptionPoint,
  type Scheduler,
  type SleepingTask,
  type Task,
  type TraceStep,
  type ViolationKind,
  type ViolationReport,
} from '@coupling-lab/kernel';
export {
  KVM,
  KvmDevice,
  kvmImage,
  kvmState,
  kvmVfioHandles,
  kvmVfioOps,
  Vm,
  type DeviceOpsPinning,
  type KvmDeviceAttr,
  type KvmDeviceOps,
  type KvmImageOptions,
  type KvmVfioOptions,
  type KvmVfioPort,
  type RegisterDeviceOps,
  type SetKvmOrder,
  type UnregisterDeviceOps,
} from '@coupling-lab/kvm';
export {
  defaultDevices,
  externalUserExports,
  fileExports,
  fileExportsV65,
  fileExportsV66,
  getOpsExports,
  getOpsExportsWithDevices,
  IOMMUFD,
  vmReferenceBySymbolGet,
  VFIO,
  vfioIoctls,
  VfioGroup,
  vfioImage,
  vfioPciImage,
  vfioState,
  type ExternalUserApi,
  type FileApi,
  type CdevFile,
  type FileApiV65,
  type FileApiV66,
  type Hwpt,
  type Ioas,
  type IommufdCtx,
  type IommufdDevice,
  type HeldVm,
  type KvmGetKvmSafe,
  type KvmPutKvm,
  type VfioBehaviour,
  type VmReferencePort,
  type GetOpsApi,
  type KvmRef,
  type PciDeviceConfig,
  type VfioExportPlan,
  type VfioFileOps,
} from '@coupling-lab/vfio';
export { groupAttr, groupFd, must, qemuFixture, type QemuFixture } from './qemu-fixture.js';
