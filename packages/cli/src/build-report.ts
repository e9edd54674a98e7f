import {
  type BenchResult,
  type CostTable,
  changeCost,
  countedCosts,
  type CountedCosts,
  couplingMetrics,
  median,
  operationNames,
  pricedInKernel,
  primitiveLabels,
  primitiveNames,
} from '@coupling-lab/bench';
import { catalogue, explore, labBugReport } from '@coupling-lab/explorer';
import { type CouplingStrategy, type LinuxName, linuxVersions } from '@coupling-lab/lab';
import { runConformance } from '@coupling-lab/testkit';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { differences } from './differences.js';
import type { SourceRevision } from './git-commit.js';
import type { Progress } from './progress.js';
import type {
  BenchCell,
  CrashReport,
  OperationName,
  PricedReport,
  RaceResult,
  Report,
  StrategyReport,
  VariantReport,
} from './report/index.js';

export interface ReportInputs {
  /** The kernel every strategy boots, every number of the report is for. */
  readonly linux: LinuxName;
  /** The strategies to compare; each runs on `linux` (compare sets aside those that do not). */
  readonly strategies: readonly CouplingStrategy[];
  /** Strategies set aside because they do not exist on `linux`, with the reason. */
  readonly notOnKernel?: readonly { readonly name: string; readonly reason: string }[];
  /** The race-catalogue variants to convict alongside (those of the compared strategies). */
  readonly variants: readonly CouplingStrategy[];
  readonly quick: boolean;
  readonly progress: Progress;
  /** Times the strategies that did not crash; undefined when the run does not benchmark. */
  readonly bench?: (strategies: readonly CouplingStrategy[]) => Promise<BenchResult>;
  /** Per-primitive kernel costs (the C harness's, or the published fallback); undefined: no priced block. */
  readonly costTable?: CostTable;
  /** The command line, as typed. */
  readonly command: readonly string[];
  readonly revision?: SourceRevision;
}

export const version = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

const message = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** Thrown by a phase of one strategy: compare reports it and goes on with the others. */
class StrategyCrash extends Error {
  constructor(
    readonly phase: string,
    cause: unknown,
  ) {
    super(message(cause), { cause });
  }
}

function phase<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new StrategyCrash(name, error);
  }
}

/** Counted costs; a strategy that cannot run an operation at all gets zeros and a failure saying why. */
function countedCostsOrZero(
  strategy: CouplingStrategy,
  linux: LinuxName,
): { counts: CountedCosts; error?: string } {
  try {
    return { counts: countedCosts(strategy, linux) };
  } catch (error) {
    const zero = {
      symbolLookups: 0,
      moduleGets: 0,
      modulePuts: 0,
      crossModuleCalls: 0,
      indirectCalls: 0,
      lockAcquisitions: 0,
    };
    const counts = Object.fromEntries(operationNames.map((op) => [op, zero])) as CountedCosts;
    return { counts, error: message(error) };
  }
}

/** One scenario raced against one strategy; a violation comes with the explorer's report of it. */
function raceResult(
  scenario: (typeof catalogue)[number],
  strategy: CouplingStrategy,
  quick: boolean,
  linux: LinuxName,
): RaceResult {
  let verdict: ReturnType<typeof explore>;
  try {
    verdict = explore(scenario, strategy, { linux, ...(quick ? { maxPreemptions: 1 } : {}) });
  } catch (error) {
    // The scenario could not even be set up (the strategy's modules do not load): nothing to race.
    return {
      scenario: scenario.name,
      verdict: 'skipped',
      schedules: 0,
      bound: `set-up failed: ${message(error)}`,
    };
  }
  if (verdict.verdict === 'skipped')
    return { scenario: scenario.name, verdict: 'skipped', schedules: 0, bound: verdict.reason };
  const bound = `depth ${verdict.bound.maxDepth}, ${verdict.bound.maxPreemptions} preemptions`;
  if (verdict.verdict === 'clean') {
    return {
      scenario: scenario.name,
      verdict: 'clean',
      schedules: verdict.schedules,
      bound: `${verdict.exhaustive ? 'exhaustive' : 'bounded'}, ${bound}`,
    };
  }
  return {
    scenario: scenario.name,
    verdict: 'violation',
    schedules: verdict.schedules,
    bound,
    kind: verdict.kind,
    schedule: verdict.schedule,
    report: labBugReport(scenario, strategy, verdict, { linux }),
  };
}

function analyse(
  strategy: CouplingStrategy,
  quick: boolean,
  linux: LinuxName,
  step: (what: string) => void,
): StrategyReport {
  step('conformance');
  const conformance = phase('conformance', () => runConformance(strategy, { linux }));
  step('coupling metrics');
  const coupling = phase('coupling metrics', () => couplingMetrics(strategy, linux));
  // The cost of accepting device files, on a kernel that has them; a strategy it cannot measure is reported, not dropped.
  let deviceFiles: ReturnType<typeof changeCost> | undefined;
  let deviceFilesError: string | undefined;
  if (linuxVersions[linux].vfio.deviceCdev === true) {
    try {
      deviceFiles = changeCost(strategy, linux);
    } catch (error) {
      deviceFilesError = message(error);
    }
  }
  const { counts, error: countsError } = countedCostsOrZero(strategy, linux);
  step('race catalogue');
  const races = phase('race catalogue', () =>
    catalogue.map((scenario) => raceResult(scenario, strategy, quick, linux)),
  );
  return {
    name: strategy.name,
    summary: strategy.summary,
    conformance: {
      passed: conformance.passed,
      failed: conformance.failed,
      failures: [
        ...conformance.cases.filter((c) => !c.ok).map((c) => ({ name: c.name, error: c.error ?? 'failed' })),
        ...(countsError === undefined ? [] : [{ name: 'counted costs', error: countsError }]),
        ...(deviceFilesError === undefined
          ? []
          : [{ name: 'device-file change cost', error: deviceFilesError }]),
      ],
    },
    coupling,
    counts,
    races,
    ...(deviceFiles === undefined ? {} : { deviceFiles }),
  };
}

function variantReport(variant: CouplingStrategy, quick: boolean, linux: LinuxName): VariantReport {
  return {
    name: variant.name,
    of: variant.variant?.of ?? '',
    difference: variant.variant?.difference ?? '',
    races: phase('race catalogue', () =>
      catalogue.map((scenario) => raceResult(scenario, variant, quick, linux)),
    ),
  };
}

function benchCells(bench: BenchResult, name: string): Record<OperationName, BenchCell> {
  const subject = bench.subjects[name];
  return Object.fromEntries(
    operationNames.map((op) => {
      const cell = subject?.[op];
      return [
        op,
        {
          nsPerOp: cell?.nsPerOp ?? NaN,
          ratioToDirect: cell?.ratioToDirect ?? NaN,
          ci: [cell?.ci[0] ?? NaN, cell?.ci[1] ?? NaN],
          belowResolution: cell?.belowResolution ?? false,
          withinNoise: cell?.withinNoise ?? false,
        },
      ];
    }),
  ) as Record<OperationName, BenchCell>;
}

function benchMeta(bench: BenchResult): NonNullable<Report['benchMeta']> {
  const hook = operationNames.map((op) => bench.hookOverhead[op]);
  const percent = median(hook.map((h) => h.percent));
  const withinNoise = percent <= 0 || hook.filter((h) => h.withinNoise).length * 2 >= hook.length;
  return {
    rounds: bench.rounds,
    floorNsPerOp: Object.fromEntries(
      operationNames.map((op) => {
        const floor = bench.subjects['no model']?.[op];
        return [op, floor === undefined ? NaN : floor.belowResolution ? null : floor.nsPerOp];
      }),
    ),
    ...(withinNoise ? { hookWithinNoise: true } : { hookOverheadPercent: percent }),
  };
}

/** The strategies that ran, priced in the kernel: counted primitives × `table`. */
function priced(strategies: readonly CouplingStrategy[], linux: LinuxName, table: CostTable): PricedReport {
  const result = pricedInKernel(strategies, linux, table);
  return {
    source: table.source,
    detail: table.detail,
    retpoline: table.retpoline,
    ...(table.symbolTable === undefined ? {} : { symbolTable: { ...table.symbolTable } }),
    primitives: primitiveNames.map((name) => ({
      name,
      label: primitiveLabels[name],
      ...table.primitives[name],
    })),
    strategies: result.strategies.map((strategy) => ({
      name: strategy.name,
      operations: Object.fromEntries(
        operationNames.map((op) => {
          const { estimate, reverse, counts } = strategy.operations[op];
          return [
            op,
            {
              ns: estimate.ns,
              lowNs: estimate.lowNs,
              highNs: estimate.highNs,
              reverseNs: reverse.ns,
              findSymbol: counts.total.symbolLookups + counts.total.symbolPuts,
            },
          ];
        }),
      ) as PricedReport['strategies'][number]['operations'],
    })),
    interpretation: result.interpretation,
  };
}

/** Lets the event loop run between strategies, so an interrupt (SIGINT) is handled within one step. */
const betweenSteps = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs conformance, coupling metrics, counted costs and the race catalogue per strategy (a
 * strategy that crashes in one is reported and left out; the others go on), convicts the variants,
 * times the strategies that did not crash, and assembles the report.
 */
export async function buildReport(inputs: ReportInputs): Promise<Report> {
  const { strategies, progress } = inputs;
  const reports: StrategyReport[] = [];
  const crashes: CrashReport[] = [];
  const total = strategies.length + inputs.variants.length;
  for (const [index, strategy] of strategies.entries()) {
    await betweenSteps();
    try {
      reports.push(
        analyse(strategy, inputs.quick, inputs.linux, (what) =>
          progress.update(`${inputs.linux} ${strategy.name}: ${what}`, index, total),
        ),
      );
    } catch (error) {
      if (!(error instanceof StrategyCrash)) throw error;
      crashes.push({ name: strategy.name, phase: error.phase, message: error.message });
    }
  }
  const variants: VariantReport[] = [];
  for (const [index, variant] of inputs.variants.entries()) {
    await betweenSteps();
    progress.update(`${inputs.linux} ${variant.name}: race catalogue`, strategies.length + index, total);
    try {
      variants.push(variantReport(variant, inputs.quick, inputs.linux));
    } catch (error) {
      if (!(error instanceof StrategyCrash)) throw error;
      crashes.push({ name: variant.name, phase: error.phase, message: error.message });
    }
  }
  progress.done();
  let bench: BenchResult | undefined;
  const healthy = strategies.filter((strategy) => reports.some((report) => report.name === strategy.name));
  if (inputs.bench !== undefined && healthy.length > 0) {
    try {
      bench = await inputs.bench(healthy);
    } catch (error) {
      crashes.push({ name: 'bench', phase: 'timing', message: message(error) });
    }
  }
  let pricedReport: PricedReport | undefined;
  if (inputs.costTable !== undefined && healthy.length > 0) {
    try {
      pricedReport = priced(healthy, inputs.linux, inputs.costTable);
    } catch (error) {
      crashes.push({ name: 'priced in the kernel', phase: 'counting', message: message(error) });
    }
  }
  const strategyReports =
    bench === undefined ? reports : reports.map((r) => ({ ...r, bench: benchCells(bench, r.name) }));
  return {
    version,
    generatedAt: new Date().toISOString(),
    machine: bench?.machine ?? {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      platform: process.platform,
    },
    quick: inputs.quick,
    linux: { name: inputs.linux, summary: linuxVersions[inputs.linux].summary },
    strategies: strategyReports,
    ...(inputs.notOnKernel === undefined || inputs.notOnKernel.length === 0
      ? {}
      : { notOnKernel: inputs.notOnKernel.map((entry) => ({ ...entry })) }),
    differences: differences(strategyReports),
    ...(variants.length === 0 ? {} : { variants }),
    ...(crashes.length === 0 ? {} : { crashes }),
    run: {
      command: [...inputs.command],
      ...(inputs.revision === undefined
        ? {}
        : { commit: inputs.revision.commit, dirty: inputs.revision.dirty }),
    },
    ...(pricedReport === undefined ? {} : { priced: pricedReport }),
    ...(bench === undefined ? {} : { benchMeta: benchMeta(bench) }),
  };
}
