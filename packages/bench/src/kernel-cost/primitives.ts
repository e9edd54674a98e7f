// The kernel primitives coupling-lab counts, as the C harness (native/primitive-costs.c) prices them.

/** One primitive per thing the model counts; the harness times each as the kernel function it mirrors. */
export const primitiveNames = [
  'find_symbol',
  'try_module_get',
  'module_put',
  'call_direct',
  'call_indirect',
  'call_retpoline',
  'mutex_pair',
  'fget',
  'fput',
] as const;
export type PrimitiveName = (typeof primitiveNames)[number];

/** What one primitive costs: the median of the harness's samples and their quartiles (the spread). */
export interface PrimitiveCost {
  readonly medianNs: number;
  readonly q1Ns: number;
  readonly q3Ns: number;
  /** The kernel function it mirrors, or for a published figure where the figure comes from. */
  readonly basis: string;
}

/** The per-primitive costs an estimate is priced with: measured here, or the published fallback. */
export interface CostTable {
  /** 'harness': timed on this machine by the C harness; 'published': the documented fallback table. */
  readonly source: 'harness' | 'published';
  /** For 'harness': the compiler; for 'published': why the harness did not run. */
  readonly detail: string;
  /** Whether indirect calls are priced through a retpoline thunk (CONFIG_RETPOLINE, x86 distribution kernels). */
  readonly retpoline: boolean;
  /** The export table find_symbol searched: vmlinux's symbols, the loaded modules, the owner's place in the list. */
  readonly symbolTable?: {
    readonly vmlinuxSymbols: number;
    readonly modules: number;
    readonly ownerPosition: number;
  };
  readonly clockResolutionNs?: number;
  readonly elapsedMs?: number;
  readonly primitives: Readonly<Record<PrimitiveName, PrimitiveCost>>;
}

/** A one-line label per primitive, for the reports' primitive table. */
export const primitiveLabels: Readonly<Record<PrimitiveName, string>> = {
  find_symbol: 'find_symbol (symbol_get, symbol_put)',
  try_module_get: 'try_module_get',
  module_put: 'module_put',
  call_direct: 'direct call',
  call_indirect: 'indirect call',
  call_retpoline: 'indirect call, retpoline',
  mutex_pair: 'mutex_lock + mutex_unlock',
  fget: 'fget',
  fput: 'fput',
};
