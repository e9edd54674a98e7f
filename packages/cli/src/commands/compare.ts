import { resolve } from 'node:path';
import { buildReport } from '../build-report.js';
import type { Progress } from '../progress.js';
import { defaultOutDir, prepareOutDir, renderTable, type Report, writeReports } from '../report/index.js';
import { selectStrategies } from '../strategies.js';
import { CliError } from '../usage-error.js';
import { measure } from './bench.js';

export interface CompareOptions {
  readonly strategy?: string;
  readonly quick?: boolean;
  readonly out?: string;
  readonly json?: boolean;
  readonly bench?: boolean;
  readonly plugins: readonly string[];
  readonly progress: Progress;
  readonly colour: boolean;
  readonly width?: number;
}

export interface CompareOutcome {
  readonly report: Report;
  readonly output: string;
  readonly files: readonly string[];
  /** 1 when a real strategy fails conformance or a race is found in one; 0 otherwise. */
  readonly exitCode: number;
}

/** `coupling-lab compare`: conformance, coupling metrics, the race catalogue and the benchmarks, side by side. */
export async function compareCommand(options: CompareOptions): Promise<CompareOutcome> {
  const strategies = selectStrategies(options.strategy, { variants: false });
  const quick = options.quick === true;
  // An --out that cannot be written is said before minutes of measuring, not after.
  const outDir = resolve(options.out ?? defaultOutDir(new Date()));
  try {
    prepareOutDir(outDir);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const bench =
    options.bench === false
      ? undefined
      : await measure({ strategies, quick, plugins: options.plugins, progress: options.progress });
  const report = buildReport({ strategies, quick, progress: options.progress, bench });
  let files: string[];
  try {
    files = writeReports(report, outDir).files;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const failures = report.strategies.filter(
    (strategy) =>
      strategy.conformance.failed > 0 || strategy.races.some((race) => race.verdict === 'violation'),
  );
  const output = options.json
    ? JSON.stringify(report, null, 2)
    : [
        renderTable(report, {
          colour: options.colour,
          ...(options.width === undefined ? {} : { width: options.width }),
        }),
        '',
        `reports: ${files.join(', ')}`,
        ...failures.map(
          (strategy) => `FAILED: ${strategy.name} (conformance failures or a race in a real strategy)`,
        ),
      ].join('\n');
  return { report, output, files, exitCode: failures.length > 0 ? 1 : 0 };
}
