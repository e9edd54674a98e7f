import type { CostTable, PrimitiveCost, PrimitiveName } from './primitives.js';

// The fallback when no C compiler is found (or the harness fails): figures from published
// measurements of the same operations, converted at 3 GHz, with a spread wide enough to cover the
// microarchitectures they were measured on. Each says where it comes from; the report names the
// fallback, so nobody mistakes these for this machine's numbers.

const cyclesAt3GHz = (low: number, median: number, high: number, basis: string): PrimitiveCost => ({
  medianNs: median / 3,
  q1Ns: low / 3,
  q3Ns: high / 3,
  basis,
});

const lockedRmw =
  "a LOCK-prefixed read-modify-write on an owned line, 18-20 cycles (Agner Fog, 'Instruction tables', LOCK CMPXCHG/XADD on Skylake and Zen)";

export const publishedCosts: Readonly<Record<PrimitiveName, PrimitiveCost>> = {
  find_symbol: cyclesAt3GHz(
    1500,
    2400,
    3600,
    'derived, no published figure: ~30 strcmp for vmlinux’s two bsearches over 31,695 exports (Linux 5.12) plus two per module on the list before the owner, at ~15-25 cycles a strcmp of kernel-style names',
  ),
  try_module_get: cyclesAt3GHz(15, 20, 30, `atomic_inc_not_zero: ${lockedRmw}`),
  module_put: cyclesAt3GHz(15, 20, 30, `atomic_dec_if_positive: ${lockedRmw}`),
  call_direct: cyclesAt3GHz(
    2,
    4,
    6,
    "call + ret, predicted (Agner Fog, 'The microarchitecture of Intel, AMD and VIA CPUs')",
  ),
  call_indirect: cyclesAt3GHz(
    3,
    5,
    8,
    "an indirect call whose target the BTB predicts costs about a direct call (Agner Fog, 'The microarchitecture of Intel, AMD and VIA CPUs')",
  ),
  call_retpoline: cyclesAt3GHz(
    20,
    30,
    45,
    "a retpoline's ret is always mispredicted into its capture loop: one branch misprediction, 15-20 cycles on Skylake and Zen 2 (Agner Fog's microarchitecture guide), on top of call + ret",
  ),
  mutex_pair: cyclesAt3GHz(
    36,
    42,
    60,
    `two cmpxchg (__mutex_trylock_fast, __mutex_unlock_fast): ${lockedRmw}`,
  ),
  fget: cyclesAt3GHz(18, 24, 35, `an fd-table load and atomic_long_inc_not_zero: ${lockedRmw}`),
  fput: cyclesAt3GHz(15, 20, 30, `atomic_long_dec_and_test: ${lockedRmw}`),
};

/** The published fallback table, saying why the harness did not run. */
export function publishedCostTable(why: string): CostTable {
  return { source: 'published', detail: why, retpoline: true, primitives: publishedCosts };
}
