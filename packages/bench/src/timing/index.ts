// Public face of the timing harness. Importing this file does not load mitata; only measuring
// does (dynamically, see mitata.ts). child.ts is an entry point for forked processes, not exported.
export {
  bootstrapRatioCI,
  iqr,
  mad,
  median,
  medianRatio,
  mulberry32,
  pairedRatios,
  quantile,
  type BootstrapOptions,
} from './stats.js';
export { methodFor, type CellMeasurement, type MeasureMethod, type TimedOperation } from './operation.js';
export { measureHarnessFloor, measureOperation, type MeasureOptions } from './measure.js';
export {
  mergeRaw,
  summarise,
  type HarnessFloor,
  type OperationTiming,
  type RawOperation,
  type RawTimings,
  type Summary,
  type SummaryOptions,
} from './summarise.js';
export {
  HARNESS_FLOOR,
  measureRounds,
  rotate,
  runInterleaved,
  type InterleavedOptions,
  type InterleavedResult,
  type ProgressEvent,
  type Subject,
} from './interleaved.js';
export { runInProcesses, runPerSubject, splitRounds, type ProcessesOptions } from './processes.js';
export type { SubjectsModule } from './protocol.js';
export { machineInfo, type MachineInfo } from './machine.js';
export { timingPresets, type TimingPreset } from './presets.js';
