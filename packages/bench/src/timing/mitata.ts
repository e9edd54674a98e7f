// The only file that loads mitata. mitata 1.x is ESM-only and this package compiles to CommonJS,
// so it is loaded with a real dynamic import(), which TypeScript (module NodeNext) keeps as
// import() in the CommonJS output. jest would rewrite it into require() and fail, which is why
// nothing that jest loads may import this file (stats.ts and operation.ts stay mitata-free).

/** mitata's per-measurement result, the fields we read. */
export interface MitataStats {
  /** Sorted per-sample ns per iteration, 2 extremes trimmed each side when there are > 12. */
  samples: number[];
  /** Iterations behind the samples. */
  ticks: number;
  kind: 'fn' | 'iter' | 'yield';
}

/** The `measure()` options we set (lib.mjs `defaults()` lists them all). */
export interface MitataOptions {
  /** Keep sampling until this many ns have elapsed (and at least `min_samples` samples). */
  min_cpu_time?: number;
  min_samples?: number;
  /** Warm-up calls, tried only when the first call took ≤ warmup_threshold ns; batching is on
   *  when one of them takes ≤ 65 µs (batch_threshold). */
  warmup_samples?: number;
  warmup_threshold?: number;
  /** Iterations per sample in batched mode. */
  batch_samples?: number;
  /** Full GC before sampling; `false` skips mitata's fallback (a 1 GiB allocation without --expose-gc). */
  gc?: false | (() => void);
}

/**
 * mitata's manual-timing yield (lib.mjs `generator()`, undocumented in the 1.0.34 readme): the
 * function does its own timing and returns the ns that count for one sample; mitata turns off
 * batching, keeps its sampling loop, warm-up and trimming, and with the default budget ('real')
 * still spends its time budget in wall-clock time, untimed work included.
 */
export interface ManualYield {
  manual: () => number;
}

export interface Mitata {
  measure(fn: () => unknown, opts?: MitataOptions): Promise<MitataStats>;
  measure(gen: () => Generator<ManualYield, void, undefined>, opts?: MitataOptions): Promise<MitataStats>;
  do_not_optimize(value: unknown): void;
}

let loading: Promise<Mitata> | undefined;

/** Loads mitata once per process. */
export function loadMitata(): Promise<Mitata> {
  // mitata's own .d.mts types these loosely (any); we narrow to the subset above.
  loading ??= import('mitata').then((m) => m as unknown as Mitata);
  return loading;
}
