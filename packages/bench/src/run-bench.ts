import { DEFAULT_LINUX, type LinuxName } from '@coupling-lab/lab';
import { operationNames, type OperationName } from './operations.js';
import { DIRECT_WITH_HOOK, NO_MODEL, type SubjectsArgs } from './subjects.js';
import {
  machineInfo,
  type MachineInfo,
  runInProcesses,
  timingPresets,
  type ProgressEvent,
  type OperationTiming,
} from './timing/index.js';

export interface BenchCell {
  readonly nsPerOp: number;
  readonly spread: number;
  readonly ratioToDirect: number;
  readonly ci: readonly [number, number];
  readonly method: string;
}

/** The JSON `coupling-lab bench` writes; documented in the package README. */
export interface BenchResult {
  readonly machine: MachineInfo;
  readonly quick: boolean;
  /** The kernel every subject booted. */
  readonly linux: LinuxName;
  readonly rounds: number;
  readonly processes: number;
  readonly budgetMsPerCell: number;
  readonly elapsedMs: number;
  /** strategy (or 'no model', 'direct+hook') → operation → timing. */
  readonly subjects: Readonly<Record<string, Readonly<Record<OperationName, BenchCell>>>>;
  /** The model's overhead over plain calls: direct ÷ no model, per operation. */
  readonly modelOverhead: Readonly<Record<OperationName, number>>;
  /** The preemption hooks' cost on the direct path, in percent: (direct+hook ÷ direct − 1) × 100. */
  readonly hookOverheadPercent: Readonly<Record<OperationName, number>>;
}

export interface BenchOptions extends SubjectsArgs {
  readonly quick: boolean;
  readonly seed?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Times every strategy, the no-model floor and direct with a hook, in interleaved rounds over fresh processes. */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  if (!options.strategies.includes('direct'))
    throw new Error('the benchmark needs the direct strategy as its baseline');
  const preset = options.quick ? timingPresets.quick : timingPresets.full;
  const args: SubjectsArgs = {
    strategies: options.strategies,
    register: options.register,
    ...(options.linux === undefined ? {} : { linux: options.linux }),
  };
  const result = await runInProcesses(
    { path: require.resolve('./subjects.js'), exportName: 'subjects', args },
    {
      ...preset,
      baseline: 'direct',
      seed: options.seed ?? 1,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
  );
  const cell = (timing: OperationTiming): BenchCell => ({
    nsPerOp: timing.nsPerOp,
    spread: timing.spread,
    ratioToDirect: timing.ratioToBaseline,
    ci: timing.ci,
    method: timing.method,
  });
  const subjects = Object.fromEntries(
    Object.entries(result.subjects).map(([name, operations]) => [
      name,
      Object.fromEntries(
        operationNames.map((op) => [op, cell(required(operations[op], name, op))]),
      ) as Record<OperationName, BenchCell>,
    ]),
  );
  const per = (f: (op: OperationName) => number): Record<OperationName, number> =>
    Object.fromEntries(operationNames.map((op) => [op, f(op)])) as Record<OperationName, number>;
  const ns = (subject: string, op: OperationName): number =>
    required(result.subjects[subject]?.[op], subject, op).nsPerOp;
  return {
    machine: machineInfo(),
    quick: options.quick,
    linux: options.linux ?? DEFAULT_LINUX,
    rounds: result.rounds,
    processes: result.processes,
    budgetMsPerCell: result.budgetMsPerCell,
    elapsedMs: result.elapsedMs,
    subjects,
    modelOverhead: per((op) => ns('direct', op) / ns(NO_MODEL, op)),
    hookOverheadPercent: per(
      (op) =>
        (required(result.subjects[DIRECT_WITH_HOOK]?.[op], DIRECT_WITH_HOOK, op).ratioToBaseline - 1) * 100,
    ),
  };
}

function required(timing: OperationTiming | undefined, subject: string, op: string): OperationTiming {
  if (timing === undefined) throw new Error(`no timing for ${subject} ${op}`);
  return timing;
}
