import {
  baselineComparison,
  benchNs,
  benchRatio,
  type BenchResult,
  benchSummaryLines,
  countedCosts,
  operationNames,
  runBench,
} from '@coupling-lab/bench';
import { readFileSync, writeFileSync } from 'node:fs';
import type { CouplingStrategy, LinuxName } from '@coupling-lab/lab';
import type { Progress } from '../progress.js';
import { builtinStrategyModules } from '../registration.js';
import { fitTable, wrapText } from '../report/index.js';
import { CliError, UsageError } from '../usage-error.js';

export interface BenchCommandOptions {
  readonly strategies: readonly CouplingStrategy[];
  readonly quick: boolean;
  /** The kernel every subject boots (default v5.17). */
  readonly linux?: LinuxName;
  readonly plugins: readonly string[];
  readonly progress: Progress;
}

/** Times the strategies (and the floor and hook subjects) in fresh processes, reporting progress. */
export async function measure(options: BenchCommandOptions): Promise<BenchResult> {
  const names = options.strategies.map((strategy) => strategy.name);
  const strategies = names.includes('direct') ? names : ['direct', ...names];
  const result = await runBench({
    strategies,
    register: [...builtinStrategyModules(), ...options.plugins],
    quick: options.quick,
    ...(options.linux === undefined ? {} : { linux: options.linux }),
    onProgress: (event) =>
      options.progress.update(
        `bench: ${event.warmup ? 'warm-up' : 'round'} ${event.round}/${event.rounds}`,
        event.cell,
        event.cells,
      ),
  });
  options.progress.done();
  return result;
}

/** Reads a result saved with --save-baseline; a readable error for a file that is not one. */
export function readBaseline(path: string): BenchResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--baseline ${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read it'}`);
  }
  try {
    const parsed = JSON.parse(text) as BenchResult;
    if (typeof parsed.subjects !== 'object' || parsed.subjects === null) throw new Error('no subjects');
    return parsed;
  } catch {
    throw new UsageError(`--baseline ${path}: not a result saved by coupling-lab bench --save-baseline`);
  }
}

/** Writes the result for a later --baseline. */
export function saveBaseline(path: string, result: BenchResult): void {
  try {
    writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    throw new CliError(
      `--save-baseline ${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot write it'}`,
    );
  }
}

/**
 * `coupling-lab bench`: the model's own cost per operation, grouped by operation: a hyperfine-style
 * summary line, then per subject its counts, ns/op and ratio to direct with its interval (and the
 * change against a saved baseline run); a table when it fits `width`, else one block per subject.
 */
export function renderBench(
  result: BenchResult,
  strategies: readonly CouplingStrategy[],
  width?: number,
  baseline?: BenchResult,
): string {
  const linux = result.linux;
  const prose = (text: string): string[] => (width === undefined ? [text] : wrapText(text, width));
  const lines = [
    ...prose(
      `Linux ${linux}: the lab's own cost per operation (useful to us and to plugin authors), not kernel evidence; compare's "Priced in the kernel" block is the kernel's.`,
    ),
    ...prose(
      `machine: ${result.machine.cpu}, ${result.machine.cores} cores, node ${result.machine.node} (${result.machine.platform})`,
    ),
    ...prose(
      `${result.rounds} measured rounds over ${result.processes} process rounds, every subject in processes of its own, ${result.budgetMsPerCell} ms per cell, ${(result.elapsedMs / 1000).toFixed(1)} s`,
    ),
  ];
  const costs = new Map(strategies.map((strategy) => [strategy.name, countedCosts(strategy, linux)]));
  const compared = baseline === undefined ? undefined : baselineComparison(result, baseline);
  const summaries = benchSummaryLines(result);
  for (const [index, op] of operationNames.entries()) {
    lines.push('', ...prose(summaries[index] ?? op));
    const rows = Object.entries(result.subjects).map(([name, ops]) => {
      const cell = ops[op];
      const count = costs.get(name)?.[op];
      const against = compared?.find((c) => c.subject === name && c.operation === op);
      return [
        name,
        count === undefined ? '' : String(count.symbolLookups),
        count === undefined ? '' : `${count.moduleGets}/${count.modulePuts}`,
        count === undefined ? '' : `${count.crossModuleCalls} (${count.indirectCalls})`,
        count === undefined ? '' : String(count.lockAcquisitions),
        benchNs(cell),
        name === 'direct' ? 'baseline' : benchRatio(cell),
        ...(compared === undefined
          ? []
          : [
              against === undefined
                ? 'not in the baseline'
                : against.withinNoise
                  ? 'within noise'
                  : `${against.ratio.toFixed(2)}× (${benchNs({ ...cell, nsPerOp: against.baselineNsPerOp, belowResolution: false })} then)`,
            ]),
      ];
    });
    lines.push(
      fitTable(
        [
          op,
          'lookups',
          'gets/puts',
          'calls (indirect)',
          'locks',
          'ns/op',
          'ratio to direct [95% CI]',
          ...(compared === undefined ? [] : ['vs baseline']),
        ],
        rows,
        { width, keyColumns: 1 },
      ),
    );
  }
  lines.push(
    '',
    ...prose(
      `the model's own overhead (direct vs no model): ${operationNames
        .map((op) => {
          const overhead = result.modelOverhead[op];
          return `${op} ${overhead === null ? 'floor below timer resolution' : `×${overhead.toFixed(0)}`}`;
        })
        .join(', ')}`,
    ),
  );
  return lines.join('\n');
}
