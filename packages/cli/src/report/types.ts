import type { BugReport } from '@coupling-lab/explorer';

/** The operations every strategy is counted and timed on, in the order reports show them. */
export const operationNames = [
  'GROUP_ADD',
  'GROUP_DEL',
  'DEVICE_CREATE',
  'DEVICE_DESTROY',
  'VM_LIFE',
] as const;
export type OperationName = (typeof operationNames)[number];

/** What one operation cost, counted at the kernel model's preemption points. */
export interface CountRow {
  symbolLookups: number;
  moduleGets: number;
  modulePuts: number;
  /** Every call that crosses from one module into another, direct or through a pointer. */
  crossModuleCalls: number;
  /** The cross-module calls made through a function pointer (an ops table). */
  indirectCalls: number;
  lockAcquisitions: number;
}

/**
 * A dependency between two modules: `hard` is a direct import resolved at load (`from` uses `to`),
 * `symbol_get` is `from` looking up `to`'s symbols at run time, `registers` is `from` registering
 * ops with `to`.
 */
export interface ModuleEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'hard' | 'symbol_get' | 'registers';
}

/** The static coupling of one strategy, read from its module images. */
export interface CouplingMetrics {
  /** Every module the strategy has, e.g. kvm, vfio, vfio_pci, kvm_vfio. */
  readonly modules: readonly string[];
  /** The symbols each side exports for the other. */
  readonly exports: readonly { readonly module: string; readonly symbols: readonly string[] }[];
  readonly edges: readonly ModuleEdge[];
  /** Modules that load with nothing else loaded. */
  readonly loadsAlone: readonly string[];
  readonly loadOrders: readonly { readonly order: readonly string[]; readonly ok: boolean }[];
  /** `result` is 'ok' or an errno name such as '-EWOULDBLOCK'. */
  readonly unloadWhileInUse: readonly { readonly module: string; readonly result: string }[];
  /** SPEC 8's load/unload questions with nothing open, each answered 'ok' or an errno (what "What differs" compares). */
  readonly matrix: {
    readonly insmodKvmAlone: string;
    readonly createDeviceWithoutVfio: string;
    readonly rmmodKvm: string;
    readonly rmmodVfioPci: string;
    readonly rmmodVfioAfterVfioPci: string;
  };
}

/**
 * What accepting VFIO device files cost the strategy (the step from "group files only" to "group
 * and device files", Linux v6.6), computed from two versions of its wiring (bench's changeCost).
 */
export interface DeviceFileCost {
  readonly vfioExports: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly string[];
  };
  readonly kvmLookups: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Lines of the KVM-side port code added and removed (a line diff); absent when the strategy does not say what its port code is. */
  readonly kvmPortLines?: {
    readonly added: number;
    readonly removed: number;
    readonly before: number;
    readonly after: number;
  };
  readonly uapiAdded: readonly string[];
  readonly moduleEdgesAdded: readonly string[];
  /** KVM_DEV_VFIO_FILE_ADD of a device fd in QEMU's iommufd sequence, before and after. */
  readonly deviceFileAdd: { readonly groupsOnly: string; readonly withDeviceFiles: string };
}

/** What the race explorer found for one catalogue scenario. */
export interface RaceResult {
  scenario: string;
  verdict: 'clean' | 'violation' | 'skipped';
  /** How many schedules were run. */
  schedules: number;
  /** The exploration bound, e.g. 'exhaustive, depth 2' or 'random, 500 schedules'. */
  bound?: string;
  /** The kind of violation found, e.g. 'use-after-free'. */
  kind?: string;
  /** The minimal failing schedule, replayable. */
  schedule?: string;
  /** For a violation: the explorer's report (who faulted, the interleaving, the trace tail, the replay command). */
  report?: BugReport;
}

/** A race-catalogue variant of a strategy: its one difference and what the catalogue found in it. */
export interface VariantReport {
  name: string;
  /** The strategy it is a variant of. */
  of: string;
  difference: string;
  races: RaceResult[];
}

/** One exploration of a history row: the code as posted or shipped, or its fix, on the row's scenario. */
export interface HistoryVerdict {
  /** The variant or strategy explored. */
  strategy: string;
  verdict: 'clean' | 'violation' | 'skipped';
  schedules: number;
  /** e.g. 'exhaustive, depth 2, 2 preemptions'. */
  bound?: string;
  kind?: string;
  /** The minimal schedule, replayable with explore --replay. */
  schedule?: string;
  preemptions?: number;
  /** For a skipped run: why. */
  reason?: string;
  /** Wall time of the exploration on the machine that ran it. */
  milliseconds: number;
  report?: BugReport;
}

/** One row of the coupling's history, explored: what shipped or was proposed, its verdict, its fix's. */
export interface HistoryEntry {
  when: string;
  version: string;
  change: string;
  /** The commit or message id it is modelled from. */
  source: string;
  upstream: string;
  /** What a kernel engineer should take from it. */
  lesson: string;
  linux: string;
  scenario: string;
  /** The violation upstream's fix describes, or 'clean'. */
  expected: string;
  run: HistoryVerdict;
  fix?: HistoryVerdict & { source: string; change: string };
  /** The verdict is the expected one and the fix is clean. */
  matches: boolean;
}

/** A strategy that threw in one of compare's phases: it is left out of the comparison, the others run. */
export interface CrashReport {
  name: string;
  phase: string;
  message: string;
}

/** One strategy's timing of one operation. */
export interface BenchCell {
  nsPerOp: number;
  ratioToDirect: number;
  /** The confidence interval of `ratioToDirect`, low then high. */
  ci: [number, number];
  /** nsPerOp is under 10× what the clock resolves: shown as "below timer resolution". */
  belowResolution?: boolean;
  /** The interval holds 1: shown as "within noise". */
  withinNoise?: boolean;
}

/** One primitive's cost as the estimate priced it: measured by the C harness, or the published fallback. */
export interface PricedPrimitive {
  /** The harness's name, e.g. 'find_symbol'. */
  name: string;
  label: string;
  medianNs: number;
  q1Ns: number;
  q3Ns: number;
  /** The kernel function it mirrors, or where a published figure comes from. */
  basis: string;
}

/** One operation's estimated kernel cost: counted primitives × per-primitive cost. */
export interface PricedCell {
  ns: number;
  /** Every primitive at its first quartile, and at its third. */
  lowNs: number;
  highNs: number;
  /** The part that is VFIO reaching KVM (the reverse direction, v6.6); 0 on v5.17. */
  reverseNs: number;
  /** find_symbol walks (symbol_get and symbol_put). */
  findSymbol: number;
}

/** "Priced in the kernel": what each coupling costs the kernel, not the model. */
export interface PricedReport {
  /** 'harness': timed on this machine; 'published': the documented fallback table. */
  source: 'harness' | 'published';
  /** The compiler, or why the harness did not run. */
  detail: string;
  /** Indirect calls priced through a retpoline thunk. */
  retpoline: boolean;
  symbolTable?: { vmlinuxSymbols: number; modules: number; ownerPosition: number };
  primitives: PricedPrimitive[];
  strategies: { name: string; operations: Record<OperationName, PricedCell> }[];
  /** One sentence the numbers support. */
  interpretation: string;
}

/** Everything the comparison found about one strategy. */
export interface StrategyReport {
  name: string;
  /** One sentence saying how the strategy couples kvm and vfio. */
  summary: string;
  conformance: { passed: number; failed: number; failures: { name: string; error: string }[] };
  coupling: CouplingMetrics;
  counts: Record<OperationName, CountRow>;
  races: RaceResult[];
  /** The cost of accepting device files; present on a kernel that has them (v6.6). */
  deviceFiles?: DeviceFileCost;
  /** Absent when the run did not benchmark. */
  bench?: Record<OperationName, BenchCell>;
}

/** The kernel a report is for: every number in it was measured on this model of Linux. */
export interface ReportKernel {
  /** 'v5.17' or 'v6.6'. */
  name: string;
  /** One line: what this kernel's VFIO-KVM contract is. */
  summary: string;
}

/** One comparison run, as written to report.json and rendered to the table, report.md and report.html. */
export interface Report {
  version: string;
  /** ISO 8601. */
  generatedAt: string;
  machine: { cpu: string; cores: number; node: string; platform: string };
  /** True when the run was shortened with --quick (fewer schedules and samples). */
  quick: boolean;
  /** The kernel every strategy booted: every number in the report is for it. */
  linux: ReportKernel;
  strategies: StrategyReport[];
  /** Strategies left out because they do not exist on this kernel, with the reason. Absent when none were. */
  notOnKernel?: { name: string; reason: string }[];
  /** The "what differs" lines, one difference each. */
  differences: string[];
  /** The variants of the compared strategies, each raced against the catalogue. Absent when none were run. */
  variants?: VariantReport[];
  /** Strategies that crashed; absent when none did. */
  crashes?: CrashReport[];
  /** The coupling's history, each row convicted or cleared by the explorer (the same in every kernel's report). */
  history?: HistoryEntry[];
  /** How the run was made: the command line, and the git commit of the checkout it ran from. */
  run?: { command: string[]; commit?: string; dirty?: boolean };
  /** The counted primitives priced with this machine's (or the published) per-primitive costs. */
  priced?: PricedReport;
  benchMeta?: {
    rounds: number;
    /** The "no model" floor: the same work as plain function calls; null below timer resolution. */
    floorNsPerOp: Partial<Record<OperationName, number | null>>;
    /** What attaching a no-op preemption hook adds to direct, in percent (median over operations); absent when within noise. */
    hookOverheadPercent?: number;
    /** True when the hooks' cost is within noise (its interval holds 0, or it came out negative). */
    hookWithinNoise?: boolean;
  };
}
