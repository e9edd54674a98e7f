// How a bench result is said in words: one hyperfine-style line per operation, and the comparison
// with a saved baseline run. Figures under the clock's resolution and differences inside the
// interval are named as such, never printed as numbers.
import { operationNames, type OperationName } from './operations.js';
import type { BenchCell, BenchResult } from './run-bench.js';
import { DIRECT_WITH_HOOK, NO_MODEL } from './subjects.js';

/** ns as the bench prints them, or "below timer resolution". */
export function benchNs(cell: BenchCell): string {
  if (cell.belowResolution) return 'below timer resolution';
  const ns = cell.nsPerOp;
  if (ns >= 10_000) return `${(ns / 1000).toFixed(1)} µs`;
  return `${ns >= 100 ? Math.round(ns) : ns.toFixed(1)} ns`;
}

/** A ratio to direct with its interval, or "within noise" with the interval when it holds 1. */
export function benchRatio(cell: BenchCell): string {
  const interval = `[${cell.ci[0].toFixed(2)}, ${cell.ci[1].toFixed(2)}]`;
  return cell.withinNoise ? `within noise ${interval}` : `${cell.ratioToDirect.toFixed(2)}× ${interval}`;
}

/**
 * One line per operation, as hyperfine summarises a run: the baseline's time, then each
 * strategy's median ratio to it with its interval, the hooks' cost, and the no-model floor.
 */
export function benchSummaryLines(result: BenchResult): string[] {
  return operationNames.map((op) => {
    const direct = result.subjects['direct']?.[op];
    const others = Object.entries(result.subjects)
      .filter(([name]) => name !== 'direct' && name !== NO_MODEL && name !== DIRECT_WITH_HOOK)
      .map(([name, ops]) => `${name} ${benchRatio(ops[op])}`);
    const hook = result.hookOverhead[op];
    const hookText = hook.withinNoise
      ? 'hooks within noise'
      : `hooks +${hook.percent.toFixed(1)}% [${hook.ci[0].toFixed(1)}, ${hook.ci[1].toFixed(1)}]`;
    const floor = result.subjects[NO_MODEL]?.[op];
    const floorText = floor === undefined ? '' : `; no-model floor ${benchNs(floor)}`;
    const head = direct === undefined ? op : `${op}: direct ${benchNs(direct)}`;
    return `${head}; ×direct: ${others.length > 0 ? others.join(', ') : 'no other strategy'}; ${hookText}${floorText}`;
  });
}

/** One subject's operation against the same cell of a saved run. */
export interface BaselineCell {
  readonly subject: string;
  readonly operation: OperationName;
  readonly nsPerOp: number;
  readonly baselineNsPerOp: number;
  /** nsPerOp ÷ baselineNsPerOp. */
  readonly ratio: number;
  /** The two runs' interquartile ranges overlap, or either figure is below timer resolution. */
  readonly withinNoise: boolean;
}

/**
 * This run against a saved one (`--baseline`), cell by cell. The runs were not interleaved, so
 * there is no paired interval: the ratio of medians, and "within noise" when the runs' spreads
 * overlap.
 */
export function baselineComparison(current: BenchResult, baseline: BenchResult): BaselineCell[] {
  const cells: BaselineCell[] = [];
  for (const op of operationNames) {
    for (const [subject, ops] of Object.entries(current.subjects)) {
      const now = ops[op];
      const then = baseline.subjects[subject]?.[op];
      if (then === undefined) continue;
      const overlap =
        now.nsPerOp - now.spread / 2 <= then.nsPerOp + then.spread / 2 &&
        then.nsPerOp - then.spread / 2 <= now.nsPerOp + now.spread / 2;
      cells.push({
        subject,
        operation: op,
        nsPerOp: now.nsPerOp,
        baselineNsPerOp: then.nsPerOp,
        ratio: now.nsPerOp / then.nsPerOp,
        withinNoise: overlap || now.belowResolution || then.belowResolution === true,
      });
    }
  }
  return cells;
}
