// Measures one operation of one subject for a short time budget with mitata. See operation.ts
// for the two methods; this file decides nothing about rounds or ratios (interleaved.ts does).
import { loadMitata, type Mitata, type MitataOptions } from './mitata.js';
import { methodFor, type CellMeasurement, type MeasureMethod, type TimedOperation } from './operation.js';
import { median } from './stats.js';

export interface MeasureOptions {
  /** Wall-clock time mitata keeps sampling for (mitata's min_cpu_time); untimed work counts. */
  budgetMs: number;
  /** Force a method, so every subject of one operation is measured alike; default from the op. */
  method?: MeasureMethod;
}

type Sink = (value: unknown) => void;
const clockMs = performance.now.bind(performance);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

// Loops are generated per operation, the way mitata generates its own: closures made from one
// source literal share V8 feedback and optimised code, so a shared loop's `op.run()` call site
// would turn megamorphic once it had seen every subject, and each subject would be timed through
// a call the JIT can no longer inline. A fresh function has its own feedback. It is then kept
// (with its sample size) for the operation's later rounds, so they run warm, identical code.
function compileBatchedBody(op: TimedOperation, sink: Sink): () => void {
  const make = new Function('$op', '$sink', 'return function timed() { $sink($op.run()); };') as (
    op: TimedOperation,
    sink: Sink,
  ) => () => void;
  return make(op, sink);
}

// One clock reading right before and one right after each run; prepare/restore fall outside.
// Returns the mean ns per run over `k` runs: one mitata sample.
function compileBracketedLoop(op: TimedOperation, sink: Sink, k: number): () => number {
  const source = `return function bracketed() {
    let total = 0;
    for (let i = 0; i < ${k}; i++) {
      ${op.prepare ? '$op.prepare();' : ''}
      const t0 = $now();
      const result = $op.run();
      const t1 = $now();
      ${op.restore ? '$op.restore();' : ''}
      $sink(result);
      total += t1 - t0;
    }
    return (total * 1e6) / ${k};
  };`;
  const make = new Function('$op', '$sink', '$now', source) as (
    op: TimedOperation,
    sink: Sink,
    now: () => number,
  ) => () => number;
  return make(op, sink, clockMs);
}

// Untimed pilot: wall ns of one full prepare/run/restore cycle, to size samples to the budget.
function pilotCycleNs(op: TimedOperation, sink: Sink): number {
  const cycles = 16;
  const t0 = clockMs();
  for (let i = 0; i < cycles; i++) {
    op.prepare?.();
    sink(op.run());
    op.restore?.();
  }
  return Math.max(((clockMs() - t0) * 1e6) / cycles, 1);
}

type Compiled =
  | { method: 'batched'; budgetMs: number; body: () => void; batch: number }
  | { method: 'bracketed'; budgetMs: number; loop: () => number; k: number };

const compiledFor = new WeakMap<TimedOperation, Compiled>();

function compile(op: TimedOperation, method: MeasureMethod, budgetMs: number, sink: Sink): Compiled {
  const cached = compiledFor.get(op);
  if (cached && cached.method === method && cached.budgetMs === budgetMs) return cached;
  // Aim for ~40 samples per budget, so mitata's median has something to chew on.
  const sampleNs = clamp((budgetMs * 1e6) / 40, 10_000, 5_000_000);
  const cycleNs = pilotCycleNs(op, sink);
  const compiled: Compiled =
    method === 'batched'
      ? // mitata calls the body `batch` times between two clock readings (unrolled by 4).
        {
          method,
          budgetMs,
          body: compileBatchedBody(op, sink),
          batch: clamp(Math.round(sampleNs / cycleNs / 4) * 4, 16, 4096),
        }
      : (() => {
          const k = clamp(Math.floor(sampleNs / cycleNs), 1, 100_000);
          return { method, budgetMs, loop: compileBracketedLoop(op, sink, k), k };
        })();
  compiledFor.set(op, compiled);
  return compiled;
}

function gcOption(): MitataOptions['gc'] {
  const gc = (globalThis as { gc?: () => void }).gc;
  return typeof gc === 'function' ? gc : false;
}

async function sample(mitata: Mitata, compiled: Compiled, budgetMs: number): Promise<CellMeasurement> {
  // mitata batches only if one of its warm-up calls takes ≤ 65 µs, and skips those warm-up calls
  // when its first call takes > 0.5 ms; one GC pause in that first call would then time a cheap
  // op one call per clock pair. Always warming up, 8 tries, makes batching depend on the op alone.
  const common: MitataOptions = {
    min_cpu_time: budgetMs * 1e6,
    gc: gcOption(),
    warmup_samples: 8,
    warmup_threshold: Number.POSITIVE_INFINITY,
  };
  if (compiled.method === 'batched') {
    const stats = await mitata.measure(compiled.body, { ...common, batch_samples: compiled.batch });
    return {
      method: 'batched',
      nsPerOp: median(stats.samples),
      samples: stats.samples.length,
      opsTimed: stats.ticks,
    };
  }
  const { loop: manual, k } = compiled;
  const stats = await mitata.measure(function* () {
    yield { manual };
  }, common);
  return {
    method: 'bracketed',
    nsPerOp: median(stats.samples),
    samples: stats.samples.length,
    opsTimed: stats.samples.length * k,
  };
}

/** ns per `run` of one operation, sampled by mitata for about `budgetMs` of wall-clock time. */
export async function measureOperation(
  op: TimedOperation,
  { budgetMs, method = methodFor(op) }: MeasureOptions,
): Promise<CellMeasurement> {
  if (method === 'batched' && (op.prepare || op.restore)) {
    throw new TypeError('measureOperation: an operation with prepare/restore cannot be batched');
  }
  const mitata = await loadMitata();
  return sample(mitata, compile(op, method, budgetMs, mitata.do_not_optimize), budgetMs);
}

// One empty operation per method, kept for the process so its loop stays warm like the others.
const emptyOps: Record<MeasureMethod, TimedOperation> = {
  batched: { run() {} },
  // An empty restore too, so the same loop shape is generated as for real bracketed operations.
  bracketed: { run() {}, restore() {} },
};

/**
 * The harness's own cost per op for a method: an empty `run`. For `bracketed` this is essentially
 * one clock reading pair, ~40 ns here, which would otherwise inflate every op and pull every
 * ratio towards 1; for `batched` it is mitata's loop and `do_not_optimize`, well under 1 ns.
 */
export function measureHarnessFloor(method: MeasureMethod, budgetMs: number): Promise<CellMeasurement> {
  return measureOperation(emptyOps[method], { budgetMs, method });
}
