import { renderBugReport } from '@coupling-lab/explorer';
import type { CouplingStrategy } from '@coupling-lab/lab';
import { buildReport } from '../build-report.js';
import { sourceRevision } from '../git-commit.js';
import type { Interrupts } from '../interrupts.js';
import type { Progress } from '../progress.js';
import {
  defaultOutDir,
  fitTable,
  OutDir,
  OutDirError,
  renderTable,
  reportFiles,
  type Report,
  wrapText,
} from '../report/index.js';
import { installedStrategies, selectStrategies } from '../strategies.js';
import { CliError, UsageError } from '../usage-error.js';
import { measure } from './bench.js';

export interface CompareOptions {
  readonly strategy?: readonly string[];
  readonly quick?: boolean;
  readonly out?: string;
  readonly force?: boolean;
  readonly json?: boolean;
  readonly bench?: boolean;
  readonly plugins: readonly string[];
  readonly progress: Progress;
  readonly colour: boolean;
  readonly width?: number;
  /** The command line as typed, for the report. */
  readonly command: readonly string[];
  readonly interrupts?: Interrupts;
  readonly cwd?: string;
}

export interface CompareOutcome {
  readonly report: Report;
  /** What goes on stdout: the table, or report.json with --json. */
  readonly output: string;
  /** What goes on stderr: where the reports are, what failed or crashed. */
  readonly notes: readonly string[];
  readonly files: readonly string[];
  /** 1 when a real strategy fails conformance, has a race or crashed; 0 otherwise. */
  readonly exitCode: number;
}

function outDir(path: string, force: boolean, cwd: string | undefined): OutDir {
  try {
    return OutDir.prepare(path, { force, ...(cwd === undefined ? {} : { cwd }) });
  } catch (error) {
    if (error instanceof OutDirError)
      throw error.usage ? new UsageError(error.message) : new CliError(error.message);
    throw error;
  }
}

/** The variants of the compared strategies (a plugin's included), raced alongside them. */
function variantsOf(strategies: readonly CouplingStrategy[]): CouplingStrategy[] {
  const names = new Set(strategies.map((strategy) => strategy.name));
  return installedStrategies({ variants: true }).filter(
    (strategy) => strategy.variant !== undefined && names.has(strategy.variant.of),
  );
}

/** The terminal's view of the variants: which scenario convicted each, with what, and the schedule. */
function variantsSummary(report: Report, width: number | undefined): string[] {
  const variants = report.variants ?? [];
  if (variants.length === 0) return [];
  const rows = variants.flatMap((variant) => {
    const found = variant.races.filter((race) => race.verdict === 'violation');
    if (found.length === 0) return [[variant.name, 'none', 'not convicted', '']];
    return found.map((race) => [variant.name, race.scenario, race.kind ?? 'violation', race.schedule ?? '']);
  });
  const intro =
    "Variants, each convicted with a minimal schedule (replay: coupling-lab explore <scenario> --strategy <variant> --replay '<schedule>'):";
  return [
    '',
    ...(width === undefined ? [intro] : wrapText(intro, width)),
    fitTable(['variant', 'scenario', 'found', 'schedule'], rows, { width, keyColumns: 1 }),
  ];
}

/** `coupling-lab compare`: conformance, coupling metrics, the race catalogue and the benchmarks, side by side. */
export async function compareCommand(options: CompareOptions): Promise<CompareOutcome> {
  const strategies = selectStrategies(options.strategy, { variants: false });
  const quick = options.quick === true;
  // An --out that cannot be written is said before minutes of measuring, not after; what the
  // run makes there is removed again if it fails or is interrupted.
  const out = outDir(options.out ?? defaultOutDir(new Date()), options.force === true, options.cwd);
  const release = options.interrupts?.onInterrupt(() => out.discard());
  try {
    const revision = sourceRevision();
    const report = await buildReport({
      strategies,
      variants: variantsOf(strategies),
      quick,
      progress: options.progress,
      ...(options.bench === false
        ? {}
        : {
            bench: (healthy: readonly CouplingStrategy[]) =>
              measure({ strategies: healthy, quick, plugins: options.plugins, progress: options.progress }),
          }),
      command: options.command,
      ...(revision === undefined ? {} : { revision }),
    });
    const contents = await reportFiles(report);
    let files: string[];
    try {
      files = out.write(contents);
    } catch (error) {
      throw error instanceof OutDirError ? new CliError(error.message) : error;
    }
    out.keep();
    const failures = report.strategies.filter(
      (strategy) =>
        strategy.conformance.failed > 0 || strategy.races.some((race) => race.verdict === 'violation'),
    );
    const crashes = report.crashes ?? [];
    const violations = report.strategies.flatMap((strategy) =>
      strategy.races.flatMap((race) => (race.report === undefined ? [] : [race.report])),
    );
    const width = options.width;
    const output = options.json
      ? JSON.stringify(report, null, 2)
      : [
          renderTable(report, { colour: options.colour, ...(width === undefined ? {} : { width }) }),
          ...variantsSummary(report, width),
          ...violations.flatMap((bug) => ['', renderBugReport(bug, width === undefined ? {} : { width })]),
        ].join('\n');
    const notes = [
      `reports: ${files.join(', ')}`,
      ...crashes.map((crash) => `${crash.name} crashed in ${crash.phase}: ${crash.message}`),
      ...failures.map(
        (strategy) => `FAILED: ${strategy.name} (conformance failures or a race in a real strategy)`,
      ),
    ];
    return { report, output, notes, files, exitCode: failures.length > 0 || crashes.length > 0 ? 1 : 0 };
  } catch (error) {
    out.discard();
    throw error;
  } finally {
    release?.();
  }
}
