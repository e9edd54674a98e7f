// From raw per-round numbers to the reported figures. Pure (no clock, no mitata), so the same
// code summarises one process's rounds or the merged rounds of several processes.
import type { MeasureMethod } from './operation.js';
import { bootstrapRatioCI, iqr, median, medianRatio } from './stats.js';

/** What the runner measured, before any summary: ns/op per round, in round order. */
export interface RawTimings {
  baseline: string;
  /** Subject names in input order. */
  subjects: string[];
  /** Operation name → its per-round numbers. */
  operations: Record<string, RawOperation>;
  /** Per round, the label of the process that measured it (all 0 for a single process). */
  groups: number[];
}

export interface RawOperation {
  method: MeasureMethod;
  /** Harness floor per round (see measureHarnessFloor), never subtracted here. */
  floor: number[];
  /** Subject name → ns per `run` per round, harness included; only subjects that have the operation. */
  series: Record<string, number[]>;
  /** Subject name → its own harness floor per round, when subjects were measured in processes of
   *  their own (runPerSubject): subtracted from that subject instead of `floor`. */
  subjectFloors?: Record<string, number[]>;
  /** Subject name → operations one `run` does (TimedOperation.opsPerRun), when more than one. */
  opsPerRun?: Record<string, number>;
}

export interface OperationTiming {
  method: MeasureMethod;
  /** Operations one run did (TimedOperation.opsPerRun); nsPerOp is per operation. */
  opsPerRun: number;
  /** What the clock can resolve per operation here: the harness floor this subject had (its clock
   *  pair, or mitata's loop when batched), divided by opsPerRun. A figure under ~10× this is noise. */
  resolutionNs: number;
  /** Median over rounds of the per-round ns/op (each itself a median of mitata's samples). */
  nsPerOp: number;
  /** Interquartile range of the per-round ns/op. */
  spread: number;
  /** Number of rounds. */
  rounds: number;
  /** ns/op per round, in round order (harness floor subtracted if floors[op].subtracted). */
  perRound: number[];
  /** Median over rounds of this subject's ns/op divided by the baseline's in the same round;
   *  NaN when the baseline lacks the operation or has a round at or below zero. */
  ratioToBaseline: number;
  /** Paired percentile-bootstrap interval of ratioToBaseline (two-level over processes). */
  ci: [number, number];
}

export interface HarnessFloor {
  method: MeasureMethod;
  nsPerOp: number;
  perRound: number[];
  /** Whether perRound was subtracted from every subject's rounds for this operation. */
  subtracted: boolean;
}

export interface SummaryOptions {
  seed: number;
  /** 2000 by default. */
  bootstrapIterations?: number;
  /** 0.95 by default. */
  confidence?: number;
  /** Which operations get the harness floor of their round subtracted: 'bracketed' (default:
   *  there it is a systematic ~40 ns clock cost), 'always', or 'never'. A batched floor is under
   *  1 ns and, like mitata's own output, normally left in. */
  subtractHarnessFloor?: 'bracketed' | 'always' | 'never';
}

export interface Summary {
  /** subject name → operation name → timing (subjects and operations in input order). */
  subjects: Record<string, Record<string, OperationTiming>>;
  /** operation name → the harness cost per op. */
  floors: Record<string, HarnessFloor>;
}

export function summarise(raw: RawTimings, options: SummaryOptions): Summary {
  const bootstrap = {
    iterations: options.bootstrapIterations ?? 2000,
    seed: options.seed,
    confidence: options.confidence ?? 0.95,
    groups: raw.groups,
  };
  const when = options.subtractHarnessFloor ?? 'bracketed';
  const summary: Summary = { subjects: Object.fromEntries(raw.subjects.map((s) => [s, {}])), floors: {} };
  for (const [operation, { method, floor, series }] of Object.entries(raw.operations)) {
    const subtracted = when === 'always' || (when === 'bracketed' && method === 'bracketed');
    const { subjectFloors, opsPerRun } = raw.operations[operation] as RawOperation;
    summary.floors[operation] = { method, nsPerOp: median(floor), perRound: floor, subtracted };
    // ns per operation: the run's own harness floor off (its process's, when it had one), then
    // divided by the operations one run does.
    const net = (subject: string, values: number[]): number[] => {
      const floorOf = subjectFloors?.[subject] ?? floor;
      const ops = opsPerRun?.[subject] ?? 1;
      return values.map((v, i) => (subtracted ? v - (floorOf[i] as number) : v) / ops);
    };
    const baselineSeries = series[raw.baseline];
    const baseline = baselineSeries && net(raw.baseline, baselineSeries);
    for (const [subject, values] of Object.entries(series)) {
      const perRound = net(subject, values);
      let ratioToBaseline = Number.NaN;
      let ci: [number, number] = [Number.NaN, Number.NaN];
      if (baseline) {
        try {
          ratioToBaseline = medianRatio(perRound, baseline);
          ci = bootstrapRatioCI(perRound, baseline, bootstrap);
        } catch {
          // A baseline round at or below the harness floor: no meaningful ratio; left NaN.
        }
      }
      const timings = summary.subjects[subject] ?? (summary.subjects[subject] = {});
      timings[operation] = {
        method,
        opsPerRun: opsPerRun?.[subject] ?? 1,
        resolutionNs: median(subjectFloors?.[subject] ?? floor) / (opsPerRun?.[subject] ?? 1),
        nsPerOp: median(perRound),
        spread: iqr(perRound),
        rounds: perRound.length,
        perRound,
        ratioToBaseline,
        ci,
      };
    }
  }
  return summary;
}

/** Concatenates the rounds of several runs (one per process), labelling each run's rounds apart. */
export function mergeRaw(parts: readonly RawTimings[]): RawTimings {
  const first = parts[0];
  if (!first) throw new RangeError('mergeRaw: nothing to merge');
  const merged: RawTimings = {
    baseline: first.baseline,
    subjects: [...first.subjects],
    operations: {},
    groups: [],
  };
  parts.forEach((part, label) => {
    if (part.baseline !== first.baseline || part.subjects.join('\0') !== first.subjects.join('\0')) {
      throw new RangeError('mergeRaw: runs with different subjects or baselines');
    }
    if (Object.keys(part.operations).join('\0') !== Object.keys(first.operations).join('\0')) {
      throw new RangeError('mergeRaw: runs with different operations');
    }
    merged.groups.push(...part.groups.map(() => label));
    for (const [name, op] of Object.entries(part.operations)) {
      const lengths = [op.floor, ...Object.values(op.series)].map((values) => values.length);
      if (lengths.some((n) => n !== part.groups.length))
        throw new RangeError(`mergeRaw: ${name} has rounds missing`);
      const into =
        merged.operations[name] ?? (merged.operations[name] = { method: op.method, floor: [], series: {} });
      if (into.method !== op.method)
        throw new RangeError(`mergeRaw: ${name} measured as ${into.method} and as ${op.method}`);
      into.floor.push(...op.floor);
      for (const [subject, values] of Object.entries(op.series))
        (into.series[subject] ??= []).push(...values);
      for (const [subject, values] of Object.entries(op.subjectFloors ?? {}))
        ((into.subjectFloors ??= {})[subject] ??= []).push(...values);
      for (const [subject, ops] of Object.entries(op.opsPerRun ?? {})) (into.opsPerRun ??= {})[subject] = ops;
    }
  });
  return merged;
}
