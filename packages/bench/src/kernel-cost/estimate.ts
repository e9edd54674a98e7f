import type { PrimitiveCounts } from './counts.js';
import type { CostTable, PrimitiveName } from './primitives.js';

/** One primitive's share of an estimate: how often, at what cost. */
export interface CostTerm {
  readonly primitive: PrimitiveName;
  readonly count: number;
  /** count × the primitive's median, and × its quartiles. */
  readonly ns: number;
  readonly lowNs: number;
  readonly highNs: number;
}

/** Estimated kernel ns for one operation: counted primitives × per-primitive cost. */
export interface KernelEstimate {
  readonly ns: number;
  /** Every primitive at its first quartile, and at its third: the harness's spread, carried through. */
  readonly lowNs: number;
  readonly highNs: number;
  readonly terms: readonly CostTerm[];
}

/** Which primitive prices each count (an indirect call goes through a retpoline when the table says so). */
export function pricing(table: CostTable): readonly (readonly [keyof PrimitiveCounts, PrimitiveName])[] {
  return [
    ['symbolLookups', 'find_symbol'],
    ['symbolPuts', 'find_symbol'],
    ['moduleGets', 'try_module_get'],
    ['modulePuts', 'module_put'],
    ['directCalls', 'call_direct'],
    ['indirectCalls', table.retpoline ? 'call_retpoline' : 'call_indirect'],
    ['lockAcquisitions', 'mutex_pair'],
    ['fileGets', 'fget'],
    ['filePuts', 'fput'],
  ];
}

/**
 * Σ count × cost over the counted primitives. The interval takes every primitive at its first
 * quartile together, then at its third: counts are exact, so all the uncertainty is the
 * harness's, and quartiles of one machine's primitives move together (frequency, cache state).
 */
export function estimateKernelNs(counts: PrimitiveCounts, table: CostTable): KernelEstimate {
  const merged = new Map<PrimitiveName, number>();
  for (const [field, primitive] of pricing(table)) {
    const count = counts[field];
    if (count !== 0) merged.set(primitive, (merged.get(primitive) ?? 0) + count);
  }
  const terms: CostTerm[] = [...merged].map(([primitive, count]) => {
    const cost = table.primitives[primitive];
    return {
      primitive,
      count,
      ns: count * cost.medianNs,
      lowNs: count * cost.q1Ns,
      highNs: count * cost.q3Ns,
    };
  });
  const sum = (pick: (term: CostTerm) => number): number => terms.reduce((total, t) => total + pick(t), 0);
  return { ns: sum((t) => t.ns), lowNs: sum((t) => t.lowNs), highNs: sum((t) => t.highNs), terms };
}
