import { DEFAULT_LINUX, type LinuxName } from '@coupling-lab/lab';
import { operationNames, type OperationName } from './operations.js';
import { DIRECT_WITH_HOOK, NO_MODEL, type SubjectsArgs } from './subjects.js';
import {
  machineInfo,
  type MachineInfo,
  runPerSubject,
  timingPresets,
  type ProgressEvent,
  type OperationTiming,
} from './timing/index.js';

export interface BenchCell {
  readonly nsPerOp: number;
  readonly spread: number;
  /** The one estimator everywhere: the median of per-round ratios to direct, paired by process round. */
  readonly ratioToDirect: number;
  readonly ci: readonly [number, number];
  readonly method: string;
  /** What the clock resolves per operation for this cell (its harness floor ÷ operations per run). */
  readonly resolutionNs: number;
  /** nsPerOp under resolutionNs (under 10× it for the no-model floor): reports say "below timer resolution", never a number. */
  readonly belowResolution: boolean;
  /** The ratio's interval holds 1: no difference from direct this run can see. */
  readonly withinNoise: boolean;
}

/** The preemption hooks' cost on one operation: direct+hook against direct, as a percentage. */
export interface HookOverhead {
  readonly percent: number;
  readonly ci: readonly [number, number];
  /** The interval holds 0 (or the point is negative): reports say "within noise", never a figure. */
  readonly withinNoise: boolean;
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
  /** The model's overhead over plain calls: direct ÷ no model, per operation; null when the floor is below timer resolution. */
  readonly modelOverhead: Readonly<Record<OperationName, number | null>>;
  /** The preemption hooks' cost on the direct path: (direct+hook ÷ direct − 1) × 100, with its interval. */
  readonly hookOverhead: Readonly<Record<OperationName, HookOverhead>>;
}

/**
 * The no-model floor is reported only above this many times the clock cost it had subtracted (its
 * resolution); any other figure only above that cost itself. Below, reports say "below timer
 * resolution": such a number is the difference of two clock readings, not a measurement.
 */
export const RESOLUTION_FACTOR = 10;

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
  const result = await runPerSubject(
    { path: require.resolve('./subjects.js'), exportName: 'subjects', args },
    [...options.strategies, DIRECT_WITH_HOOK, NO_MODEL],
    {
      ...preset,
      baseline: 'direct',
      seed: options.seed ?? 1,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
  );
  const cell = (timing: OperationTiming, subject: string): BenchCell => ({
    nsPerOp: timing.nsPerOp,
    spread: timing.spread,
    ratioToDirect: timing.ratioToBaseline,
    ci: timing.ci,
    method: timing.method,
    resolutionNs: timing.resolutionNs,
    belowResolution: !(
      timing.nsPerOp >=
      (subject === NO_MODEL ? RESOLUTION_FACTOR : 1) * timing.resolutionNs
    ),
    withinNoise: !(timing.ci[0] > 1 || timing.ci[1] < 1),
  });
  const subjects = Object.fromEntries(
    Object.entries(result.subjects).map(([name, operations]) => [
      name,
      Object.fromEntries(
        operationNames.map((op) => [op, cell(required(operations[op], name, op), name)]),
      ) as Record<OperationName, BenchCell>,
    ]),
  );
  const per = <T>(f: (op: OperationName) => T): Record<OperationName, T> =>
    Object.fromEntries(operationNames.map((op) => [op, f(op)])) as Record<OperationName, T>;
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
    modelOverhead: per((op) =>
      subjects[NO_MODEL]?.[op].belowResolution === false ? ns('direct', op) / ns(NO_MODEL, op) : null,
    ),
    hookOverhead: per((op): HookOverhead => {
      const hooked = required(result.subjects[DIRECT_WITH_HOOK]?.[op], DIRECT_WITH_HOOK, op);
      const percent = (hooked.ratioToBaseline - 1) * 100;
      const ci: [number, number] = [(hooked.ci[0] - 1) * 100, (hooked.ci[1] - 1) * 100];
      return { percent, ci, withinNoise: !(ci[0] > 0) || percent <= 0 };
    }),
  };
}

function required(timing: OperationTiming | undefined, subject: string, op: string): OperationTiming {
  if (timing === undefined) throw new Error(`no timing for ${subject} ${op}`);
  return timing;
}
