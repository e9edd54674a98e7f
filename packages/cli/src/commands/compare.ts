import { measurePrimitiveCosts } from '@coupling-lab/bench';
import { historyOnlyVariants, renderBugReport } from '@coupling-lab/explorer';
import { type CouplingStrategy, DEFAULT_LINUX, type LinuxName, runsOn } from '@coupling-lab/lab';
import { buildReport } from '../build-report.js';
import { historyEntries } from '../history.js';
import { sourceRevision } from '../git-commit.js';
import type { Interrupts } from '../interrupts.js';
import { selectKernels, splitByKernel } from '../kernels.js';
import type { Progress } from '../progress.js';
import {
  defaultOutDir,
  fitTable,
  OutDir,
  OutDirError,
  pricedSourceLine,
  primitiveTableHeader,
  primitiveTableRows,
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
  /** 'v5.17' (the default), 'v6.6', or 'all' for one report per kernel. */
  readonly linux?: string;
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
  /** One report per kernel, in the lab's order of kernels. */
  readonly reports: readonly Report[];
  /** What goes on stdout: the table (a section per kernel), or the report JSON with --json. */
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

/**
 * The variants of the compared strategies (a plugin's included) that exist on `linux`, raced
 * alongside them; the history's own variants are run in the History section instead.
 */
function variantsOf(strategies: readonly CouplingStrategy[], linux: LinuxName): CouplingStrategy[] {
  const names = new Set(strategies.map((strategy) => strategy.name));
  const historical = new Set(historyOnlyVariants());
  return installedStrategies({ variants: true }).filter(
    (strategy) =>
      strategy.variant !== undefined &&
      names.has(strategy.variant.of) &&
      !historical.has(strategy.name) &&
      runsOn(strategy, linux) === true,
  );
}

/** The report files of one kernel: report.* for a single kernel, report.<kernel>.* when there are several. */
async function kernelFiles(report: Report, several: boolean): Promise<[string, string][]> {
  const files = await reportFiles(report);
  if (!several) return files;
  return files.map(([name, text]) => [name.replace(/^report\./, `report.${report.linux.name}.`), text]);
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
  const kernel = report.linux.name === DEFAULT_LINUX ? '' : ` --linux ${report.linux.name}`;
  const intro = `Variants on Linux ${report.linux.name}, each convicted with a minimal schedule (replay: coupling-lab explore <scenario> --strategy <variant>${kernel} --replay '<schedule>'):`;
  return [
    '',
    ...(width === undefined ? [intro] : wrapText(intro, width)),
    fitTable(['variant', 'scenario', 'found', 'schedule'], rows, { width, keyColumns: 1 }),
  ];
}

/** The terminal's view of the priced block: the sentence, where the costs come from, the primitive table (the estimates are rows of the main table). */
function pricedSummary(report: Report, width: number | undefined): string[] {
  const priced = report.priced;
  if (priced === undefined) return [];
  const prose = (text: string): string[] => (width === undefined ? [text] : wrapText(text, width));
  return [
    '',
    ...prose(`Priced in the kernel: ${priced.interpretation}`),
    ...prose(pricedSourceLine(priced)),
    fitTable(primitiveTableHeader, primitiveTableRows(priced), { width, keyColumns: 1 }),
  ];
}

/** The terminal's view of one kernel's report: its table, the variants' convictions, every violation's report. */
function terminalSection(report: Report, options: CompareOptions): string {
  const width = options.width;
  const violations = report.strategies.flatMap((strategy) =>
    strategy.races.flatMap((race) => (race.report === undefined ? [] : [race.report])),
  );
  return [
    renderTable(report, { colour: options.colour, ...(width === undefined ? {} : { width }) }),
    ...pricedSummary(report, width),
    ...variantsSummary(report, width),
    ...violations.flatMap((bug) => ['', renderBugReport(bug, width === undefined ? {} : { width })]),
  ].join('\n');
}

/**
 * `coupling-lab compare`: conformance, coupling metrics, the race catalogue and the benchmarks,
 * side by side, on one kernel or (`--linux all`) on each in turn. A strategy that does not exist
 * on a kernel is set aside there, with its reason, in that kernel's report.
 */
export async function compareCommand(options: CompareOptions): Promise<CompareOutcome> {
  const selected = selectStrategies(options.strategy, { variants: false });
  const kernels = selectKernels(options.linux);
  const plans = kernels.map((linux) => ({ linux, ...splitByKernel(selected, linux) }));
  const empty = plans.filter((plan) => plan.runs.length === 0);
  if (empty.length === plans.length) {
    const why = plans.flatMap((plan) => plan.notOnKernel.map((entry) => `${entry.name}: ${entry.reason}`));
    throw new UsageError(`no selected strategy exists on ${kernels.join(' or ')} (${why.join('; ')})`);
  }
  const quick = options.quick === true;
  // An --out that cannot be written is said before minutes of measuring, not after; what the
  // run makes there is removed again if it fails or is interrupted.
  const out = outDir(options.out ?? defaultOutDir(new Date()), options.force === true, options.cwd);
  const release = options.interrupts?.onInterrupt(() => out.discard());
  try {
    const revision = sourceRevision();
    // The coupling's history is the same on every kernel's report: explored once.
    const history = historyEntries();
    // Once per run: the primitives cost the same whichever kernel model the counts come from.
    options.progress.update('pricing the kernel primitives (C harness)', 0, 1);
    const costTable = measurePrimitiveCosts({ quick });
    options.progress.done();
    const reports: Report[] = [];
    for (const { linux, runs, notOnKernel } of plans) {
      if (runs.length === 0) continue;
      const built = await buildReport({
        linux,
        strategies: runs,
        notOnKernel,
        variants: variantsOf(runs, linux),
        quick,
        progress: options.progress,
        ...(options.bench === false
          ? {}
          : {
              bench: (healthy: readonly CouplingStrategy[]) =>
                measure({
                  strategies: healthy,
                  quick,
                  linux,
                  plugins: options.plugins,
                  progress: options.progress,
                }),
            }),
        costTable,
        command: options.command,
        ...(revision === undefined ? {} : { revision }),
      });
      reports.push({ ...built, history });
    }
    const several = reports.length > 1;
    const contents = (await Promise.all(reports.map((report) => kernelFiles(report, several)))).flat();
    let files: string[];
    try {
      files = out.write(contents);
    } catch (error) {
      throw error instanceof OutDirError ? new CliError(error.message) : error;
    }
    out.keep();
    const failures = reports.flatMap((report) =>
      report.strategies
        .filter(
          (strategy) =>
            strategy.conformance.failed > 0 || strategy.races.some((race) => race.verdict === 'violation'),
        )
        .map((strategy) => `${strategy.name} on ${report.linux.name}`),
    );
    const crashes = reports.flatMap((report) =>
      (report.crashes ?? []).map((crash) => ({ ...crash, linux: report.linux.name })),
    );
    const output = options.json
      ? JSON.stringify(several ? { reports } : reports[0], null, 2)
      : reports.map((report) => terminalSection(report, options)).join('\n\n');
    const notes = [
      `reports: ${files.join(', ')}`,
      ...crashes.map(
        (crash) => `${crash.name} crashed in ${crash.phase} on ${crash.linux}: ${crash.message}`,
      ),
      ...failures.map((which) => `FAILED: ${which} (conformance failures or a race in a real strategy)`),
    ];
    return {
      reports,
      output,
      notes,
      files,
      exitCode: failures.length > 0 || crashes.length > 0 ? 1 : 0,
    };
  } catch (error) {
    out.discard();
    throw error;
  } finally {
    release?.();
  }
}
