import { type BugReport, renderBugReport } from '@coupling-lab/explorer';
import { benchNote, comparisonRows, type ComparisonCell } from './comparison-rows.js';
import { historySectionMarkdown } from './history-section.js';
import { escapeMarkdown } from './escape.js';
import { plural } from './format.js';
import { graphMermaid } from './module-graph.js';
import type { Report, StrategyReport, VariantReport } from './types.js';
import { kernelLine } from './kernel-line.js';
import {
  formatCost,
  formatPriced,
  pricedBarsText,
  pricedSourceLine,
  primitiveTableHeader,
  primitiveTableRows,
} from './priced-block.js';
import { operationNames, type PricedReport } from './types.js';

function markdownTable(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.map(escapeMarkdown).join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeMarkdown).join(' | ')} |`),
  ];
}

/** The priced block: the sentence, where the costs come from, the estimates (table and chart), the primitives. */
function pricedSection(priced: PricedReport): string[] {
  const reverse = priced.strategies.some((s) => operationNames.some((op) => s.operations[op].reverseNs > 0));
  const rows = priced.strategies.map((s) => [
    s.name,
    ...operationNames.map(
      (op) =>
        formatPriced(s.operations[op]) +
        (reverse && s.operations[op].reverseNs > 0
          ? ` (VFIO→KVM ${formatCost(s.operations[op].reverseNs)})`
          : ''),
    ),
  ]);
  return [
    '## Priced in the kernel',
    '',
    escapeMarkdown(priced.interpretation),
    '',
    escapeMarkdown(pricedSourceLine(priced)),
    '',
    ...markdownTable(['strategy', ...operationNames], rows),
    '',
    '```text',
    ...pricedBarsText(priced),
    '```',
    '',
    ...markdownTable(primitiveTableHeader, primitiveTableRows(priced)),
    '',
  ];
}
import { DEVICE_FILES_MEANING, DEVICE_FILES_TITLE } from './device-files-rows.js';

/** A violation report as a fenced text block: Markdown shows it as the terminal does. */
function bugBlock(report: BugReport): string[] {
  return ['```text', renderBugReport(report).replace(/```/g, "'''"), '```'];
}

function tableCell(cell: ComparisonCell): string {
  return cell.lines.map(escapeMarkdown).join('<br>');
}

function comparisonTable(report: Report): string[] {
  const header = ['', ...report.strategies.map((s) => escapeMarkdown(s.name))];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of comparisonRows(report)) {
    const cells =
      row.kind === 'section'
        ? [`**${escapeMarkdown(row.title)}**`, ...report.strategies.map(() => '')]
        : [escapeMarkdown(row.label), ...row.cells.map(tableCell)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function raceLines(strategy: StrategyReport): string[] {
  if (strategy.races.length === 0) return ['No race scenarios were run.'];
  return strategy.races.flatMap((race) => {
    const verdict = race.verdict === 'violation' ? `violation: ${race.kind ?? 'unnamed'}` : race.verdict;
    const detail = [plural(race.schedules, 'schedule'), race.bound].filter((d) => d !== undefined).join(', ');
    const lines = [
      `- ${escapeMarkdown(race.scenario)}: ${escapeMarkdown(verdict)} (${escapeMarkdown(detail)})`,
    ];
    if (race.schedule !== undefined)
      lines.push(`  - minimal schedule: \`${race.schedule.replace(/`/g, "'")}\``);
    if (race.report !== undefined) lines.push('', ...bugBlock(race.report), '');
    return lines;
  });
}

function strategySection(strategy: StrategyReport): string[] {
  const failures = strategy.conformance.failures.map(
    (f) => `- conformance failure **${escapeMarkdown(f.name)}**: ${escapeMarkdown(f.error)}`,
  );
  const exports = strategy.coupling.exports.map(
    (e) =>
      `- ${escapeMarkdown(e.module)} exports: ${e.symbols.map((s) => `\`${s}\``).join(', ') || 'nothing'}`,
  );
  return [
    `### ${escapeMarkdown(strategy.name)}`,
    '',
    escapeMarkdown(strategy.summary),
    '',
    ...(failures.length > 0 ? [...failures, ''] : []),
    ...(exports.length > 0 ? [...exports, ''] : []),
    '#### Races',
    '',
    ...raceLines(strategy),
    '',
    '#### Module graph',
    '',
    '```mermaid',
    graphMermaid(strategy.name, strategy.coupling),
    '```',
    '',
  ];
}

function variantSection(variant: VariantReport): string[] {
  const convictions = variant.races.filter((race) => race.verdict === 'violation');
  return [
    `### \`${variant.name.replace(/`/g, "'")}\``,
    '',
    `Variant of ${escapeMarkdown(variant.of)}, one difference: ${escapeMarkdown(variant.difference)}`,
    '',
    convictions.length === 0
      ? 'Not convicted by any scenario.'
      : `Convicted in ${convictions.length} of ${variant.races.length} scenarios:`,
    '',
    ...convictions.flatMap((race) => [
      `- ${escapeMarkdown(race.scenario)}: ${escapeMarkdown(race.kind ?? 'violation')}, schedule \`${(race.schedule ?? '').replace(/`/g, "'")}\``,
      ...(race.report === undefined ? [] : ['', ...bugBlock(race.report), '']),
    ]),
    '',
  ];
}

function runLine(report: Report): string[] {
  const run = report.run;
  if (run === undefined) return [];
  const commit =
    run.commit === undefined
      ? 'not from a git checkout'
      : `commit ${run.commit}${run.dirty === true ? ' (with uncommitted changes)' : ''}`;
  return [`Run: \`${run.command.join(' ').replace(/`/g, "'")}\`, ${commit}.`];
}

/** report.md: the comparison table, what differs, the variants' convictions, and per strategy its races and module graph. */
export function renderMarkdown(report: Report): string {
  const { machine } = report;
  const note = benchNote(report);
  return [
    `# coupling-lab comparison on Linux ${escapeMarkdown(report.linux.name)}`,
    '',
    escapeMarkdown(kernelLine(report)),
    '',
    `coupling-lab ${escapeMarkdown(report.version)}, ${escapeMarkdown(report.generatedAt)}${report.quick ? ' (quick run: fewer schedules and samples)' : ''}.`,
    `Machine: ${escapeMarkdown(machine.cpu)}, ${machine.cores} cores, Node ${escapeMarkdown(machine.node)}, ${escapeMarkdown(machine.platform)}.`,
    ...runLine(report),
    ...(report.crashes ?? []).map(
      (c) => `**${escapeMarkdown(`${c.name} crashed in ${c.phase}: ${c.message}`)}**`,
    ),
    '',
    '## Side by side',
    '',
    ...comparisonTable(report),
    '',
    ...(note !== undefined ? [escapeMarkdown(note), ''] : []),
    ...(report.priced === undefined ? [] : pricedSection(report.priced)),
    ...(report.strategies.some((s) => s.deviceFiles !== undefined)
      ? [`**${DEVICE_FILES_TITLE}** (rows above): ${escapeMarkdown(DEVICE_FILES_MEANING)}`, '']
      : []),
    '## What differs',
    '',
    ...(report.differences.length > 0
      ? report.differences.map((d) => `- ${escapeMarkdown(d)}`)
      : ['Nothing.']),
    '',
    ...((report.variants ?? []).length === 0
      ? []
      : ['## Variants and their convictions', '', ...(report.variants ?? []).flatMap(variantSection)]),
    ...historySectionMarkdown(report),
    '## Strategies',
    '',
    ...report.strategies.flatMap(strategySection),
  ].join('\n');
}
