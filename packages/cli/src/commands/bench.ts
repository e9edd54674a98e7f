import { type BenchResult, countedCosts, operationNames, runBench } from '@coupling-lab/bench';
import type { CouplingStrategy, LinuxName } from '@coupling-lab/lab';
import type { Progress } from '../progress.js';
import { builtinStrategyModules } from '../registration.js';
import { fitTable, wrapText } from '../report/index.js';

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

/**
 * `coupling-lab bench`: counts, ns/op and ratio to direct with its interval, per operation and
 * strategy; a table when it fits `width`, else one block per operation and strategy.
 */
export function renderBench(
  result: BenchResult,
  strategies: readonly CouplingStrategy[],
  width?: number,
): string {
  const linux = result.linux;
  const prose = (text: string): string[] => (width === undefined ? [text] : wrapText(text, width));
  const lines = [
    ...prose(`Linux ${linux}: every subject booted this kernel model.`),
    ...prose(
      `machine: ${result.machine.cpu}, ${result.machine.cores} cores, node ${result.machine.node} (${result.machine.platform})`,
    ),
    ...prose(
      `${result.rounds} measured rounds over ${result.processes} processes, ${result.budgetMsPerCell} ms per cell, ${(result.elapsedMs / 1000).toFixed(1)} s`,
    ),
  ];
  const costs = new Map(strategies.map((strategy) => [strategy.name, countedCosts(strategy, linux)]));
  const rows: string[][] = [];
  for (const op of operationNames) {
    for (const [name, ops] of Object.entries(result.subjects)) {
      const cell = ops[op];
      const count = costs.get(name)?.[op];
      rows.push([
        op,
        name,
        count === undefined ? '' : String(count.symbolLookups),
        count === undefined ? '' : `${count.moduleGets}/${count.modulePuts}`,
        count === undefined ? '' : `${count.crossModuleCalls} (${count.indirectCalls})`,
        count === undefined ? '' : String(count.lockAcquisitions),
        cell.nsPerOp.toFixed(0),
        `${cell.ratioToDirect.toFixed(3)} [${cell.ci[0].toFixed(3)}, ${cell.ci[1].toFixed(3)}]`,
      ]);
    }
  }
  lines.push(
    fitTable(
      [
        'operation',
        'strategy',
        'lookups',
        'gets/puts',
        'calls (indirect)',
        'locks',
        'ns/op',
        'ratio to direct [95% CI]',
      ],
      rows,
      { width, keyColumns: 2 },
    ),
  );
  lines.push(
    ...prose(
      `preemption hooks on the direct path (direct+hook vs direct): ${operationNames
        .map((op) => `${op} ${result.hookOverheadPercent[op].toFixed(1)}%`)
        .join(', ')}`,
    ),
  );
  lines.push(
    ...prose(
      `the model's own overhead (direct vs no model): ${operationNames.map((op) => `${op} ×${result.modelOverhead[op].toFixed(0)}`).join(', ')}`,
    ),
  );
  return lines.join('\n');
}
