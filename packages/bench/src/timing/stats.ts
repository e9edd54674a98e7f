// Pure statistics for the timing harness: no clock, no I/O, no mitata, deterministic given a
// seed. Kept apart from the measuring code so jest can test it without loading ESM-only mitata.

function sortedCopy(values: readonly number[], what: string): number[] {
  if (values.length === 0) throw new RangeError(`${what}: no values`);
  for (const v of values) if (Number.isNaN(v)) throw new RangeError(`${what}: NaN in values`);
  return [...values].sort((a, b) => a - b);
}

// Linear interpolation between closest ranks (R type 7, numpy's default) on sorted values.
function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const position = (sorted.length - 1) * p;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const below = sorted[lo] as number;
  const above = sorted[hi] as number;
  return below + (above - below) * (position - lo);
}

/** The p-quantile (0 ≤ p ≤ 1), interpolating linearly between closest ranks (R type 7). */
export function quantile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  return quantileOfSorted(sortedCopy(values, 'quantile'), p);
}

/** The median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  return quantileOfSorted(sortedCopy(values, 'median'), 0.5);
}

/** Interquartile range q3 − q1: the spread we report, robust to the odd preempted round. */
export function iqr(values: readonly number[]): number {
  const sorted = sortedCopy(values, 'iqr');
  return quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * mulberry32: a tiny seeded PRNG returning floats in [0, 1). Not cryptographic; chosen because
 * the same seed must give the same bootstrap interval on every machine and Node version.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-round ratios a[i] / b[i]; both arrays hold one value per round, in round order. */
export function pairedRatios(samplesA: readonly number[], samplesB: readonly number[]): number[] {
  if (samplesA.length !== samplesB.length) {
    throw new RangeError(
      `pairedRatios: ${samplesA.length} rounds against ${samplesB.length}; ratios are paired by round`,
    );
  }
  if (samplesA.length === 0) throw new RangeError('pairedRatios: no rounds');
  return samplesA.map((a, i) => {
    const b = samplesB[i] as number;
    if (!Number.isFinite(a)) throw new RangeError(`pairedRatios: round ${i} numerator ${a} is not finite`);
    if (!(Number.isFinite(b) && b > 0))
      throw new RangeError(`pairedRatios: round ${i} denominator ${b} is not positive`);
    return a / b;
  });
}

/** The point estimate that {@link bootstrapRatioCI} brackets: the median of the per-round ratios. */
export function medianRatio(samplesA: readonly number[], samplesB: readonly number[]): number {
  return median(pairedRatios(samplesA, samplesB));
}

export interface BootstrapOptions {
  /** Resamples drawn; 2000 by default. */
  iterations?: number;
  /** PRNG seed; the interval is a pure function of the samples and this seed. 1 by default. */
  seed?: number;
  /** Two-sided coverage, 0.95 by default. */
  confidence?: number;
  /**
   * Per round, the label of the process (or any other outer unit) that measured it. Rounds of one
   * process share its JIT decisions, hash seeds and heap layout, which can move a ratio by 10% and
   * more from one process to the next while the rounds inside it agree to 1%. With several labels
   * the bootstrap is two-level: resample processes, then rounds within each drawn process.
   * Omitted: all rounds are one process.
   */
  groups?: readonly number[];
}

function groupRatios(ratios: readonly number[], groups: readonly number[] | undefined): number[][] {
  if (!groups) return [[...ratios]];
  if (groups.length !== ratios.length)
    throw new RangeError(`bootstrapRatioCI: ${groups.length} group labels for ${ratios.length} rounds`);
  const byLabel = new Map<number, number[]>();
  ratios.forEach((r, i) => {
    const label = groups[i] as number;
    byLabel.set(label, [...(byLabel.get(label) ?? []), r]);
  });
  return [...byLabel.values()];
}

/**
 * Percentile-bootstrap interval for the ratio of A's cost to B's cost.
 *
 * Paired by round: samplesA[i] and samplesB[i] were measured in the same round, seconds apart. A
 * noisy machine slows whole rounds (another process, frequency scaling), and that slowdown hits A
 * and B alike, so the per-round ratio cancels it. We therefore resample round indices with
 * replacement and take the median of the resampled per-round ratios; an unpaired bootstrap of
 * median(A)/median(B) would count the round-to-round drift twice and give needlessly wide
 * intervals. With `groups`, processes are resampled first (see BootstrapOptions.groups).
 */
export function bootstrapRatioCI(
  samplesA: readonly number[],
  samplesB: readonly number[],
  { iterations = 2000, seed = 1, confidence = 0.95, groups }: BootstrapOptions = {},
): [number, number] {
  if (!(Number.isInteger(iterations) && iterations > 0))
    throw new RangeError(`bootstrapRatioCI: bad iterations ${iterations}`);
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`bootstrapRatioCI: confidence must be in (0, 1), got ${confidence}`);
  const byGroup = groupRatios(pairedRatios(samplesA, samplesB), groups);
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const statistics = new Array<number>(iterations);
  // Drawn groups differ in size, so one buffer big enough for the largest draw, sorted in place.
  const buffer = new Float64Array(byGroup.length * Math.max(...byGroup.map((g) => g.length)));
  for (let it = 0; it < iterations; it++) {
    let n = 0;
    for (let g = 0; g < byGroup.length; g++) {
      const group = byGroup.length === 1 ? (byGroup[0] as number[]) : pick(byGroup);
      for (let i = 0; i < group.length; i++) buffer[n++] = pick(group);
    }
    const sorted = buffer.subarray(0, n).sort();
    statistics[it] = quantileOfSorted(sorted, 0.5);
  }
  statistics.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return [quantileOfSorted(statistics, tail), quantileOfSorted(statistics, 1 - tail)];
}
