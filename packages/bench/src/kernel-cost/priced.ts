import type { CouplingStrategy, LinuxName } from '@coupling-lab/lab';
import { operationNames, type OperationName } from '../operations.js';
import { type DirectedCounts, primitiveCounts } from './counts.js';
import { estimateKernelNs, type KernelEstimate } from './estimate.js';
import type { CostTable } from './primitives.js';

/** One operation priced: the whole estimate, and the reverse direction's part of it (VFIO reaching KVM). */
export interface PricedOperation {
  readonly counts: DirectedCounts;
  readonly estimate: KernelEstimate;
  readonly reverse: KernelEstimate;
}

export interface PricedStrategy {
  readonly name: string;
  readonly operations: Readonly<Record<OperationName, PricedOperation>>;
}

/** "Priced in the kernel": every strategy's operations, counted × the cost table, and what that says. */
export interface PricedInKernel {
  readonly linux: LinuxName;
  readonly table: CostTable;
  readonly strategies: readonly PricedStrategy[];
  /** One sentence the numbers support. */
  readonly interpretation: string;
}

/** ns as a report shows an estimate: "41 ns", "1.9 µs". */
export function formatKernelNs(ns: number): string {
  if (ns >= 1000) return `${(ns / 1000).toFixed(ns >= 10_000 ? 0 : 1)} µs`;
  return `${ns >= 10 ? Math.round(ns) : ns.toFixed(1)} ns`;
}

function price(counts: DirectedCounts, table: CostTable): PricedOperation {
  return {
    counts,
    estimate: estimateKernelNs(counts.total, table),
    reverse: estimateKernelNs(counts.reverse, table),
  };
}

/** Prices every operation of every strategy on `linux` with `table`. */
export function pricedInKernel(
  strategies: readonly (CouplingStrategy | string)[],
  linux: LinuxName,
  table: CostTable,
): PricedInKernel {
  const priced = strategies.map((strategy) => {
    const counts = primitiveCounts(strategy, linux);
    return {
      name: typeof strategy === 'string' ? strategy : strategy.name,
      operations: Object.fromEntries(operationNames.map((op) => [op, price(counts[op], table)])) as Record<
        OperationName,
        PricedOperation
      >,
    };
  });
  return { linux, table, strategies: priced, interpretation: interpret(priced) };
}

const lookupsOf = (op: PricedOperation): number => op.counts.total.symbolLookups + op.counts.total.symbolPuts;

/**
 * The sentence: who walks the symbol table most per GROUP_ADD, what that costs against the
 * cheapest strategy, what it comes to over a VM's life, and the reverse direction's share if any.
 */
export function interpret(strategies: readonly PricedStrategy[]): string {
  if (strategies.length === 0) return 'No strategy was priced.';
  const add = (s: PricedStrategy): PricedOperation => s.operations.GROUP_ADD;
  const byLookups = [...strategies].sort((a, b) => lookupsOf(add(b)) - lookupsOf(add(a)));
  const cheapest = [...strategies].sort(
    (a, b) => add(a).estimate.ns - add(b).estimate.ns,
  )[0] as PricedStrategy;
  const worst = byLookups[0] as PricedStrategy;
  const life = (s: PricedStrategy): string => formatKernelNs(s.operations.VM_LIFE.estimate.ns);
  const walks = lookupsOf(add(worst));
  let sentence: string;
  if (walks === 0) {
    sentence = `No strategy walks the symbol table per GROUP_ADD; ${cheapest.name} is cheapest at ~${formatKernelNs(add(cheapest).estimate.ns)} per group added`;
  } else {
    const { symbolLookups, symbolPuts } = add(worst).counts.total;
    const findSymbol = add(worst).estimate.terms.find((t) => t.primitive === 'find_symbol')?.ns ?? 0;
    const share = Math.round((findSymbol / add(worst).estimate.ns) * 100);
    sentence =
      `${worst.name} pays ${walks} find_symbol walks per GROUP_ADD (${symbolLookups} symbol_get, ${symbolPuts} symbol_put): ` +
      `~${formatKernelNs(add(worst).estimate.ns)} per group added, ${share}% of it in find_symbol` +
      (cheapest.name === worst.name
        ? ''
        : `, against ~${formatKernelNs(add(cheapest).estimate.ns)} for ${cheapest.name}`) +
      `; ~${life(worst)} over a VM's life (VM_LIFE)` +
      (cheapest.name === worst.name ? '' : ` against ~${life(cheapest)}`);
  }
  const reverse = strategies.map((s) => s.operations.VM_LIFE.reverse.ns);
  const most = Math.max(...reverse);
  if (most > 0) {
    const who = reverse.every((ns) => ns === most)
      ? 'for every strategy'
      : `for ${strategies[reverse.indexOf(most)]?.name ?? ''}`;
    sentence += `; VFIO reaching back into KVM (the reverse direction) is ~${formatKernelNs(most)} of a VM's life ${who}`;
  }
  return `${sentence}.`;
}
