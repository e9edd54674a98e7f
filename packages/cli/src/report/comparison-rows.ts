import { deviceFileRows } from './device-files-rows.js';
import { formatBench, formatCounts, formatNs, formatRace } from './format.js';
import { pricedCellLines } from './priced-block.js';
import { operationNames, type CouplingMetrics, type Report, type StrategyReport } from './types.js';

/** How a renderer may colour a cell. Differences between strategies are never 'bad'; failures are. */
export type Tone = 'plain' | 'good' | 'bad' | 'muted';

export interface ComparisonCell {
  lines: string[];
  tone: Tone;
}

export type ComparisonRow =
  { kind: 'section'; title: string } | { kind: 'row'; label: string; cells: ComparisonCell[] };

const arrow = '→';

function cell(lines: string[], tone: Tone = 'plain'): ComparisonCell {
  return lines.length > 0 ? { lines, tone } : { lines: ['none'], tone: 'muted' };
}

function row(report: Report, label: string, make: (s: StrategyReport) => ComparisonCell): ComparisonRow {
  return { kind: 'row', label, cells: report.strategies.map(make) };
}

function edgeLines(metrics: CouplingMetrics, hard: boolean): string[] {
  return metrics.edges
    .filter((e) => (e.kind === 'hard') === hard)
    .map((e) => `${e.from} ${arrow} ${e.to}${hard ? '' : ` (${e.kind})`}`);
}

function couplingRows(report: Report): ComparisonRow[] {
  return [
    { kind: 'section', title: 'Coupling' },
    row(report, 'Exports for the other side', (s) =>
      cell(
        s.coupling.exports
          .filter((e) => e.symbols.length > 0)
          .map((e) => `${e.module}: ${e.symbols.length} symbol${e.symbols.length === 1 ? '' : 's'}`),
      ),
    ),
    row(report, 'Hard edges (load time)', (s) => cell(edgeLines(s.coupling, true))),
    row(report, 'Run-time links', (s) => cell(edgeLines(s.coupling, false))),
    row(report, 'Loads alone', (s) => {
      const alone = s.coupling.loadsAlone;
      return cell(alone.length > 0 ? [alone.join(', ')] : []);
    }),
    row(report, 'Load orders that work', (s) => {
      const orders = s.coupling.loadOrders;
      return cell([`${orders.filter((o) => o.ok).length} of ${orders.length}`]);
    }),
    row(report, 'Unload while in use', (s) =>
      cell(s.coupling.unloadWhileInUse.map((u) => `${u.module}: ${u.result}`)),
    ),
  ];
}

function countRows(report: Report): ComparisonRow[] {
  return [
    { kind: 'section', title: 'Counted per operation' },
    ...operationNames.map((op) => row(report, op, (s) => cell([formatCounts(s.counts[op])]))),
  ];
}

/** Scenario names across all strategies, in the order they first appear. */
function scenarios(report: Report): string[] {
  return [...new Set(report.strategies.flatMap((s) => s.races.map((r) => r.scenario)))];
}

function raceRows(report: Report): ComparisonRow[] {
  return [
    { kind: 'section', title: 'Races' },
    ...scenarios(report).map((scenario) =>
      row(report, scenario, (s) => {
        const race = s.races.find((r) => r.scenario === scenario);
        if (race === undefined) return cell(['not run'], 'muted');
        const tone = race.verdict === 'clean' ? 'good' : race.verdict === 'violation' ? 'bad' : 'muted';
        return cell([formatRace(race)], tone);
      }),
    ),
  ];
}

function pricedRows(report: Report): ComparisonRow[] {
  const priced = report.priced;
  if (priced === undefined) return [];
  const title = `Priced in the kernel: estimated ns/op [interval]${priced.source === 'published' ? " (published figures, not this machine's)" : ''}`;
  return [
    { kind: 'section', title },
    ...operationNames.map((op) =>
      row(report, op, (s) => {
        const estimate = priced.strategies.find((p) => p.name === s.name)?.operations[op];
        return estimate === undefined ? cell(['not priced'], 'muted') : cell(pricedCellLines(estimate));
      }),
    ),
  ];
}

function benchRows(report: Report): ComparisonRow[] {
  if (!report.strategies.some((s) => s.bench !== undefined)) return [];
  return [
    {
      kind: 'section',
      title: "The model's own time (the lab's cost, not the kernel's): ns/op · ratio to direct [interval]",
    },
    ...operationNames.map((op) =>
      row(report, op, (s) => (s.bench ? cell([formatBench(s.bench[op])]) : cell(['not timed'], 'muted'))),
    ),
  ];
}

/**
 * The side-by-side comparison as renderer-neutral rows, one cell per strategy in report order, so
 * the terminal table, report.md and report.html all show the same thing.
 */
export function comparisonRows(report: Report): ComparisonRow[] {
  return [
    row(report, 'Summary', (s) => cell([s.summary])),
    row(report, 'Conformance', (s) =>
      cell(
        [`${s.conformance.passed} passed / ${s.conformance.failed} failed`],
        s.conformance.failed > 0 ? 'bad' : 'good',
      ),
    ),
    ...couplingRows(report),
    ...deviceFileRows(report),
    ...countRows(report),
    ...raceRows(report),
    ...pricedRows(report),
    ...benchRows(report),
  ];
}

/** One line about the bench run itself (rounds, the no-model floor, hook overhead), if it ran. */
export function benchNote(report: Report): string | undefined {
  const meta = report.benchMeta;
  if (meta === undefined) return undefined;
  const floor = operationNames
    .flatMap((op) => {
      const ns = meta.floorNsPerOp[op];
      if (ns === undefined) return [];
      return [`${op} ${ns === null ? 'below timer resolution' : formatNs(ns)}`];
    })
    .join(', ');
  const parts = [`${meta.rounds} rounds`];
  if (floor !== '') parts.push(`no-model floor (plain function calls): ${floor}`);
  if (meta.hookWithinNoise === true) parts.push('a no-op preemption hook on direct: within noise');
  else if (meta.hookOverheadPercent !== undefined && meta.hookOverheadPercent > 0) {
    parts.push(
      `a no-op preemption hook on direct adds ${meta.hookOverheadPercent.toFixed(1)}% (median over operations)`,
    );
  }
  parts.push(
    "the model's own cost, not the kernel's (that is the priced block); each subject in processes of its own; compare the ratios: each is the median of per-round ratios, paired by process round",
  );
  return `Timings: ${parts.join('; ')}.`;
}
