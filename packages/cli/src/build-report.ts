import {
  type BenchResult,
  countedCosts,
  type CountedCosts,
  couplingMetrics,
  median,
  operationNames,
} from '@coupling-lab/bench';
import { catalogue, explore } from '@coupling-lab/explorer';
import type { CouplingStrategy } from '@coupling-lab/lab';
import { runConformance } from '@coupling-lab/testkit';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { differences, type DifferenceRow } from './differences.js';
import type { Progress } from './progress.js';
import type { BenchCell, OperationName, RaceResult, Report, StrategyReport } from './report/index.js';

export interface ReportInputs {
  readonly strategies: readonly CouplingStrategy[];
  readonly quick: boolean;
  readonly progress: Progress;
  readonly bench: BenchResult | undefined;
}

const version = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Runs conformance, coupling metrics, counted costs and the race catalogue per strategy, and assembles the report. */
export function buildReport(inputs: ReportInputs): Report {
  const { strategies, progress } = inputs;
  const reports: StrategyReport[] = [];
  const extras: DifferenceRow[] = [];
  strategies.forEach((strategy, index) => {
    const step = (what: string): void =>
      progress.update(`${strategy.name}: ${what}`, index, strategies.length);
    step('conformance');
    const conformance = runConformance(strategy);
    step('coupling metrics');
    const coupling = couplingMetrics(strategy);
    const { counts, error: countsError } = countedCostsOrZero(strategy);
    step('race catalogue');
    const races = catalogue.map((scenario) => raceResult(scenario, strategy, inputs.quick));
    reports.push({
      name: strategy.name,
      summary: strategy.summary,
      conformance: {
        passed: conformance.passed,
        failed: conformance.failed,
        failures: [
          ...conformance.cases
            .filter((c) => !c.ok)
            .map((c) => ({ name: c.name, error: c.error ?? 'failed' })),
          ...(countsError === undefined ? [] : [{ name: 'counted costs', error: countsError }]),
        ],
      },
      coupling,
      counts,
      races,
      ...(inputs.bench === undefined ? {} : { bench: benchCells(inputs.bench, strategy.name) }),
    });
    extras.push({
      name: strategy.name,
      matrix: coupling.matrix,
      unloadWhileInUse: coupling.unloadWhileInUse,
      lookupsPerAdd: counts.GROUP_ADD.symbolLookups,
    });
  });
  progress.done();
  return {
    version,
    generatedAt: new Date().toISOString(),
    machine: inputs.bench?.machine ?? {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      platform: process.platform,
    },
    quick: inputs.quick,
    strategies: reports,
    differences: differences(extras),
    ...(inputs.bench === undefined
      ? {}
      : {
          benchMeta: {
            rounds: inputs.bench.rounds,
            floorNsPerOp: Object.fromEntries(
              operationNames.map((op) => [op, inputs.bench?.subjects['no model']?.[op].nsPerOp ?? NaN]),
            ),
            hookOverheadPercent: median(
              operationNames.map((op) => inputs.bench?.hookOverheadPercent[op] ?? NaN),
            ),
          },
        }),
  };
}

/** Counted costs; a strategy that cannot run an operation at all gets zeros and a failure saying why. */
function countedCostsOrZero(strategy: CouplingStrategy): { counts: CountedCosts; error?: string } {
  try {
    return { counts: countedCosts(strategy) };
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
    return { counts, error: error instanceof Error ? error.message : String(error) };
  }
}

function raceResult(
  scenario: (typeof catalogue)[number],
  strategy: CouplingStrategy,
  quick: boolean,
): RaceResult {
  let verdict: ReturnType<typeof explore>;
  try {
    verdict = explore(scenario, strategy, quick ? { maxPreemptions: 1 } : {});
  } catch (error) {
    // The scenario could not even be set up (the strategy's modules do not load): nothing to race.
    return {
      scenario: scenario.name,
      verdict: 'skipped',
      schedules: 0,
      bound: `set-up failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (verdict.verdict === 'skipped') return { scenario: scenario.name, verdict: 'skipped', schedules: 0 };
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
        },
      ];
    }),
  ) as Record<OperationName, BenchCell>;
}
