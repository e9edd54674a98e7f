// Our own runner around mitata: every subject is measured in every round, in a rotated order, so
// slow phases of a noisy machine are spread over all subjects instead of landing on one of them,
// and ratios are formed round by round (see bootstrapRatioCI in stats.ts). Runs in the calling
// process; processes.ts repeats it in fresh processes to sample process-to-process variation.
import { measureHarnessFloor, measureOperation } from './measure.js';
import { methodFor, type CellMeasurement, type MeasureMethod, type TimedOperation } from './operation.js';
import { summarise, type RawTimings, type Summary, type SummaryOptions } from './summarise.js';

export interface Subject {
  name: string;
  /** Factories are called once, untimed, before the first round; each operation is then reused
   *  in every round, so it must be repeatable (see TimedOperation). */
  operations: Record<string, () => TimedOperation>;
}

/** Pseudo-subject name of the harness floor in progress events. */
export const HARNESS_FLOOR = '(harness floor)';

export interface ProgressEvent {
  /** True for the discarded warm-up rounds; `round` then counts those. */
  warmup: boolean;
  round: number;
  rounds: number;
  operation: string;
  /** A subject name, or HARNESS_FLOOR. */
  subject: string;
  /** Cells done so far, this one included, out of `cells`. */
  cell: number;
  cells: number;
  /** Which of `processes` measured it (0 of 1 in process). */
  process: number;
  processes: number;
  measurement: CellMeasurement;
}

export interface InterleavedOptions extends SummaryOptions {
  rounds: number;
  /** mitata's sampling budget for one subject × operation × round. */
  budgetMsPerCell: number;
  /** Subject every ratio is relative to (the `direct` strategy). */
  baseline: string;
  /** Rounds measured first and thrown away (default 1): the first measurements of a process pay
   *  for JIT tiering and V8 field-type generalisation that later rounds no longer see. */
  warmupRounds?: number;
  /** Where the rotation starts (default 0); processes.ts offsets it per process. */
  firstRotation?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export interface InterleavedResult extends Summary {
  baseline: string;
  /** Measured rounds, over all processes. */
  rounds: number;
  /** Warm-up rounds per process. */
  warmupRounds: number;
  processes: number;
  budgetMsPerCell: number;
  seed: number;
  bootstrapIterations: number;
  confidence: number;
  /** The per-round numbers behind the summary, to merge or re-summarise. */
  raw: RawTimings;
  elapsedMs: number;
}

/** `items` rotated left by `by`: A B C, then B C A, then C A B … */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const shift = ((by % n) + n) % n;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

interface Plan {
  operation: string;
  method: MeasureMethod;
  /** Subjects that have this operation, with the instance to time. */
  entries: { subject: string; op: TimedOperation }[];
}

function plan(subjects: readonly Subject[]): Plan[] {
  const plans = new Map<string, Plan>();
  for (const subject of subjects) {
    for (const [operation, factory] of Object.entries(subject.operations)) {
      let p = plans.get(operation);
      if (!p) plans.set(operation, (p = { operation, method: 'batched', entries: [] }));
      const op = factory();
      // One method per operation across subjects, or ratios would compare different harnesses.
      if (methodFor(op) === 'bracketed') p.method = 'bracketed';
      p.entries.push({ subject: subject.name, op });
    }
  }
  return [...plans.values()];
}

export function validateOptions(subjects: readonly { name: string }[], o: InterleavedOptions): void {
  if (!(Number.isInteger(o.rounds) && o.rounds >= 1))
    throw new RangeError(`rounds must be a positive integer, got ${o.rounds}`);
  const warmup = o.warmupRounds ?? 1;
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new RangeError(`bad warmupRounds ${o.warmupRounds}`);
  if (!(o.budgetMsPerCell > 0))
    throw new RangeError(`budgetMsPerCell must be positive, got ${o.budgetMsPerCell}`);
  const names = subjects.map((s) => s.name);
  if (new Set(names).size !== names.length)
    throw new RangeError(`duplicate subject names in ${names.join(', ')}`);
  if (!names.includes(o.baseline)) throw new RangeError(`baseline '${o.baseline}' is not a subject`);
  if (names.includes(HARNESS_FLOOR))
    throw new RangeError(`'${HARNESS_FLOOR}' is reserved for the harness floor`);
}

/** Measures all rounds in this process; returns the raw per-round numbers. */
export async function measureRounds(
  subjects: readonly Subject[],
  options: InterleavedOptions,
): Promise<RawTimings> {
  validateOptions(subjects, options);
  const { rounds, budgetMsPerCell, onProgress } = options;
  const warmupRounds = options.warmupRounds ?? 1;
  const plans = plan(subjects);
  const cells = (warmupRounds + rounds) * plans.reduce((sum, p) => sum + p.entries.length + 1, 0);
  const raw: RawTimings = {
    baseline: options.baseline,
    subjects: subjects.map((s) => s.name),
    operations: Object.fromEntries(
      plans.map((p) => {
        const batched = p.entries.filter(({ op }) => (op.opsPerRun ?? 1) !== 1);
        const opsPerRun = Object.fromEntries(batched.map(({ subject, op }) => [subject, op.opsPerRun ?? 1]));
        return [
          p.operation,
          { method: p.method, floor: [], series: {}, ...(batched.length > 0 ? { opsPerRun } : {}) },
        ];
      }),
    ),
    groups: Array.from({ length: rounds }, () => 0),
  };
  let cell = 0;
  for (let r = 0; r < warmupRounds + rounds; r++) {
    const warmup = r < warmupRounds;
    const round = warmup ? r : r - warmupRounds;
    for (const p of plans) {
      const into = raw.operations[p.operation] as RawTimings['operations'][string];
      const order = rotate(
        [...p.entries, { subject: HARNESS_FLOOR, op: undefined }],
        r + (options.firstRotation ?? 0),
      );
      for (const { subject, op } of order) {
        const measurement = op
          ? await measureOperation(op, { budgetMs: budgetMsPerCell, method: p.method })
          : await measureHarnessFloor(p.method, budgetMsPerCell);
        if (!warmup) (op ? (into.series[subject] ??= []) : into.floor).push(measurement.nsPerOp);
        cell++;
        const event = {
          warmup,
          round,
          rounds: warmup ? warmupRounds : rounds,
          operation: p.operation,
          subject,
          cell,
          cells,
        };
        onProgress?.({ ...event, process: 0, processes: 1, measurement });
      }
    }
  }
  return raw;
}

/**
 * Times every operation of every subject in `rounds` interleaved rounds in this process. Within a
 * round, per operation, the subjects and the harness floor are measured one after the other in
 * an order rotated by the round number, so no subject always runs first (cold caches) or last.
 * The intervals only know this process's round-to-round noise; use runInProcesses for intervals
 * that should hold from one run to the next.
 */
export async function runInterleaved(
  subjects: readonly Subject[],
  options: InterleavedOptions,
): Promise<InterleavedResult> {
  const started = performance.now();
  const raw = await measureRounds(subjects, options);
  return resultOf(raw, options, 1, performance.now() - started);
}

export function resultOf(
  raw: RawTimings,
  options: InterleavedOptions,
  processes: number,
  elapsedMs: number,
): InterleavedResult {
  return {
    baseline: raw.baseline,
    rounds: raw.groups.length,
    warmupRounds: options.warmupRounds ?? 1,
    processes,
    budgetMsPerCell: options.budgetMsPerCell,
    seed: options.seed,
    bootstrapIterations: options.bootstrapIterations ?? 2000,
    confidence: options.confidence ?? 0.95,
    ...summarise(raw, options),
    raw,
    elapsedMs,
  };
}
