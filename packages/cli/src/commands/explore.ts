import { availableParallelism } from 'node:os';
import {
  type Bound,
  type BugReport,
  catalogue,
  explore,
  exploreParallel,
  explorerPool,
  labBugReport,
  renderBugReport,
  replay,
  ScheduleError,
  type ScenarioVerdict,
} from '@coupling-lab/explorer';
import type { CouplingStrategy, LinuxName } from '@coupling-lab/lab';
import { selectKernels } from '../kernels.js';
import type { Progress } from '../progress.js';
import { fitTable } from '../report/index.js';
import { installedStrategies, selectStrategies } from '../strategies.js';
import { UsageError } from '../usage-error.js';

export interface ExploreOptions {
  readonly scenario?: string;
  readonly strategy?: readonly string[];
  readonly variants?: boolean;
  readonly replay?: string;
  /** 'v5.17' (the default), 'v6.6', or 'all'. */
  readonly linux?: string;
  readonly json?: boolean;
  readonly progress: Progress;
  readonly width?: number;
  /** Partial-order reduction (default true); false explores by plain depth-first search, in this thread. */
  readonly por?: boolean;
  /** Worker threads for the exhaustive phase (default: the machine's cores). */
  readonly workers?: number;
  /** Modules the workers import to register the strategies by name (the built-in packages and the plugins). */
  readonly imports?: readonly string[];
}

interface ExploreRow {
  readonly scenario: string;
  readonly strategy: string;
  readonly linux: LinuxName;
  readonly verdict: string;
  /** For a skipped pair: why the race does not exist there. */
  readonly reason?: string;
  readonly kind?: string;
  readonly schedules: number;
  /** The bound the verdict holds within. */
  readonly bound?: Bound;
  readonly schedule?: string;
  /** For a violation: the explorer's report of it (who faulted, the interleaving, the trace, the replay command). */
  readonly report?: BugReport;
  readonly variant: boolean;
}

/**
 * `coupling-lab explore [scenario] [--strategy s] [--variants] [--replay SCHEDULE] [--json]`: the
 * race catalogue against the real strategies (or the variants), or one schedule replayed. Every
 * violation is printed as the explorer's report: in the text output as a KASAN/lockdep-like block
 * after the table, in the JSON as `report` on its result.
 */
export async function exploreCommand(options: ExploreOptions): Promise<{ output: string; exitCode: number }> {
  const scenarios = options.scenario === undefined ? catalogue : [findScenario(options.scenario)];
  const strategies: CouplingStrategy[] =
    options.strategy !== undefined && options.strategy.length > 0
      ? selectStrategies(options.strategy, { variants: true })
      : options.variants
        ? installedStrategies({ variants: true }).filter((strategy) => strategy.variant !== undefined)
        : installedStrategies({ variants: false });
  const kernels = selectKernels(options.linux);
  if (
    options.replay !== undefined &&
    (options.scenario === undefined || strategies.length !== 1 || kernels.length !== 1)
  ) {
    throw new UsageError('--replay needs one scenario, one --strategy and one --linux');
  }
  const workers = options.workers ?? availableParallelism();
  const parallel = options.replay === undefined && options.por !== false;
  const pool = parallel && workers > 1 ? explorerPool(workers) : undefined;
  const pairs = kernels.flatMap((linux) =>
    scenarios.flatMap((scenario) => strategies.map((strategy) => ({ linux, scenario, strategy }))),
  );
  let finished = 0;
  const verdictOf = async ({
    linux,
    scenario,
    strategy,
  }: (typeof pairs)[number]): Promise<ScenarioVerdict> => {
    if (options.replay !== undefined) return replayOrExplain(scenario, strategy, options.replay, linux);
    if (!parallel) return explore(scenario, strategy, { linux, por: false });
    return exploreParallel(scenario, strategy, {
      linux,
      workers,
      imports: options.imports ?? [],
      ...(pool === undefined ? {} : { pool }),
    });
  };
  let rows: ExploreRow[];
  try {
    rows = await Promise.all(
      pairs.map(async (pair) => {
        const verdict = await verdictOf(pair);
        finished++;
        options.progress.update(
          `explore: ${pair.scenario.name} × ${pair.strategy.name} on ${pair.linux}`,
          finished,
          pairs.length,
        );
        return row(pair.scenario, pair.strategy, pair.linux, verdict);
      }),
    );
  } finally {
    await pool?.destroy();
  }
  options.progress.done();
  const realViolation = rows.some((entry) => !entry.variant && entry.verdict === 'violation');
  const output = options.json
    ? JSON.stringify({ results: rows.map(({ variant: _variant, ...result }) => result) }, null, 2)
    : render(rows, kernels.length > 1, options.width);
  return { output, exitCode: realViolation ? 1 : 0 };
}

/** A schedule that cannot be replayed is the user's input: a usage error, not a crash. */
function replayOrExplain(
  scenario: (typeof catalogue)[number],
  strategy: CouplingStrategy,
  schedule: string,
  linux: LinuxName,
): ScenarioVerdict {
  try {
    return replay(scenario, strategy, schedule, linux);
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(`--replay: ${error.message}`);
    throw error;
  }
}

function findScenario(name: string): (typeof catalogue)[number] {
  const found = catalogue.find((scenario) => scenario.name === name);
  if (found === undefined)
    throw new UsageError(
      `unknown scenario "${name}"; valid: ${catalogue.map((scenario) => scenario.name).join(', ')}`,
    );
  return found;
}

function row(
  scenario: (typeof catalogue)[number],
  strategy: CouplingStrategy,
  linux: LinuxName,
  verdict: ScenarioVerdict,
): ExploreRow {
  const base = {
    scenario: scenario.name,
    strategy: strategy.name,
    linux,
    variant: strategy.variant !== undefined,
  };
  if (verdict.verdict === 'violation') {
    return {
      ...base,
      verdict: 'violation',
      kind: verdict.kind,
      schedules: verdict.schedules,
      bound: verdict.bound,
      schedule: verdict.schedule,
      report: labBugReport(scenario, strategy, verdict, { linux }),
    };
  }
  if (verdict.verdict === 'skipped')
    return { ...base, verdict: 'skipped', schedules: 0, reason: verdict.reason };
  return { ...base, verdict: verdict.verdict, schedules: verdict.schedules, bound: verdict.bound };
}

/** A bound as the table prints it: nesting depth and preemptions. */
function boundText(bound: Bound | undefined): string {
  return bound === undefined ? '' : `depth ${bound.maxDepth}, ${bound.maxPreemptions} preemptions`;
}

function render(rows: readonly ExploreRow[], byKernel: boolean, width: number | undefined): string {
  const table = fitTable(
    [
      'scenario',
      'strategy',
      ...(byKernel ? ['linux'] : []),
      'verdict',
      'schedules',
      'bound',
      'minimal schedule (replay with --replay)',
    ],
    rows.map((entry) => [
      entry.scenario,
      entry.strategy,
      ...(byKernel ? [entry.linux] : []),
      entry.kind === undefined ? entry.verdict : `${entry.verdict}: ${entry.kind}`,
      String(entry.schedules),
      boundText(entry.bound),
      entry.schedule ?? (entry.reason === undefined ? '' : `(${entry.reason})`),
    ]),
    { width, keyColumns: byKernel ? 3 : 2 },
  );
  const reports = rows.flatMap((entry) =>
    entry.report === undefined ? [] : [renderBugReport(entry.report, width === undefined ? {} : { width })],
  );
  const kernel = byKernel || rows[0] === undefined ? [] : [`on Linux ${rows[0].linux}`];
  return [...kernel, table, ...reports].join('\n\n');
}
