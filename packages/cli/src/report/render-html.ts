import { countChartSvg, countUnits, forestPlotSvg, strategyLegendHtml } from './charts.js';
import { benchNote } from './comparison-rows.js';
import { escapeHtml } from './escape.js';
import { comparisonTableHtml } from './html-comparison-table.js';
import { htmlStyle } from './html-style.js';
import { strategySectionHtml } from './html-strategy-section.js';
import { historySectionHtml } from './history-section.js';
import { variantsSectionHtml } from './html-variants-section.js';
import { graphSvg } from './module-graph.js';
import type { Report } from './types.js';
import { kernelLine } from './kernel-line.js';
import {
  formatCost,
  formatPriced,
  pricedChartSvg,
  pricedSourceLine,
  primitiveTableHeader,
  primitiveTableRows,
} from './priced-block.js';
import { operationNames, type PricedReport } from './types.js';

function htmlTable(id: string, header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr><th scope="row">${escapeHtml(row[0] ?? '')}</th>${row
          .slice(1)
          .map((c) => `<td>${escapeHtml(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table id="${id}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** The priced block: the sentence, where the costs come from, the estimates (table and chart), the primitives. */
function pricedSection(priced: PricedReport): string {
  const rows = priced.strategies.map((s) => [
    s.name,
    ...operationNames.map(
      (op) =>
        formatPriced(s.operations[op]) +
        (s.operations[op].reverseNs > 0 ? ` (VFIO→KVM ${formatCost(s.operations[op].reverseNs)})` : ''),
    ),
  ]);
  const fallback = priced.source === 'published' ? ' class="note fallback"' : ' class="note"';
  return [
    '<section id="priced"><h2>Priced in the kernel</h2>',
    `<p class="interpretation">${escapeHtml(priced.interpretation)}</p>`,
    `<p${fallback}>${escapeHtml(pricedSourceLine(priced))}</p>`,
    htmlTable('priced-table', ['strategy', ...operationNames], rows),
    `<figure id="priced-chart">${pricedChartSvg(priced)}<figcaption>Estimated kernel time per operation (bars, log scale) with the interval from the primitives' quartiles (the line).</figcaption></figure>`,
    '<h3>Per-primitive costs</h3>',
    htmlTable('primitive-table', primitiveTableHeader, primitiveTableRows(priced)),
    '</section>',
  ].join('\n');
}
import { DEVICE_FILES_MEANING, DEVICE_FILES_TITLE } from './device-files-rows.js';

// Forbids every fetch and every script, so the file stays self-contained even if some text slipped
// through unescaped.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

function forestFigure(report: Report): string {
  const timed = report.strategies.filter((s) => s.bench !== undefined);
  const content =
    timed.length === 0
      ? '<p class="note">This run has no timings (the bench step did not run), so there is no ratio to plot.</p>'
      : `${forestPlotSvg(report.strategies)}<figcaption>Each operation's median time divided by direct's (a square) with its 95% interval (the line), on a log scale centred on 1.0: left of the dashed line is faster than direct, right is slower.</figcaption>`;
  return `<figure id="forest-plot">${content}</figure>`;
}

function countsFigures(report: Report): string {
  const charts = countUnits.map(
    (unit) =>
      `<figure class="count-chart" data-unit="${unit.key}">${countChartSvg(report.strategies, unit)}</figure>`,
  );
  return `${strategyLegendHtml(report.strategies, () => true)}<div class="count-charts" id="counts-charts">${charts.join('')}</div>`;
}

function runLine(report: Report): string {
  const run = report.run;
  if (run === undefined) return '';
  const commit =
    run.commit === undefined
      ? 'not from a git checkout'
      : `commit <code>${escapeHtml(run.commit.slice(0, 12))}</code>${run.dirty === true ? ' with uncommitted changes' : ''}`;
  return `<p class="run">${commit} · <code>${escapeHtml(run.command.join(' '))}</code></p>`;
}

function crashesSection(report: Report): string {
  const crashes = report.crashes ?? [];
  if (crashes.length === 0) return '';
  const items = crashes.map((c) => `<li>${escapeHtml(`${c.name} crashed in ${c.phase}: ${c.message}`)}</li>`);
  return `<section id="crashes"><h2>Crashed</h2><ul class="failures">${items.join('')}</ul><p class="note">A strategy that crashed is left out of the comparison; the others ran.</p></section>`;
}

function header(report: Report): string {
  const { machine } = report;
  const quick = report.quick ? ' <span class="badge">quick run: fewer schedules and samples</span>' : '';
  return [
    '<header>',
    `<h1>coupling-lab: how KVM and VFIO call each other, on Linux ${escapeHtml(report.linux.name)}</h1>`,
    `<p class="kernel">${escapeHtml(kernelLine(report))}</p>`,
    `<p>coupling-lab ${escapeHtml(report.version)} · generated ${escapeHtml(report.generatedAt)}${quick}</p>`,
    runLine(report),
    `<p class="machine">${escapeHtml(machine.cpu)} · ${machine.cores} cores · Node ${escapeHtml(machine.node)} · ${escapeHtml(machine.platform)}</p>`,
    '</header>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched), readable from 800 px up. */
export async function renderHtml(report: Report): Promise<string> {
  const note = benchNote(report);
  const differences =
    report.differences.length === 0
      ? '<p class="note">Nothing differs.</p>'
      : `<ul class="differences">${report.differences.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`;
  const graphs = await Promise.all(report.strategies.map((s) => graphSvg(s.name, s.coupling)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coupling-lab report · Linux ${escapeHtml(report.linux.name)} · ${escapeHtml(report.generatedAt)}</title>
<style>${htmlStyle}</style>
</head>
<body>
${header(report)}
<main>
${crashesSection(report)}
<section><h2>Side by side</h2>
<div class="table-wrap">${comparisonTableHtml(report)}</div>
${note === undefined ? '' : `<p class="note">${escapeHtml(note)}</p>`}
${report.strategies.some((s) => s.deviceFiles !== undefined) ? `<p class="note" id="device-files"><strong>${escapeHtml(DEVICE_FILES_TITLE)}</strong> (rows above): ${escapeHtml(DEVICE_FILES_MEANING)}</p>` : ''}
</section>
${report.priced === undefined ? '' : pricedSection(report.priced)}
<section><h2>What differs</h2>
${differences}
</section>
<section><h2>The model's own time, relative to direct</h2>
<p class="note">What the lab's model costs to run (useful to us and to plugin authors), not kernel evidence: the kernel's cost is the priced block above.</p>
${forestFigure(report)}
</section>
<section><h2>Counted costs</h2>
<p class="note">One chart per kind of event, counted per operation at the kernel model's primitives.</p>
${countsFigures(report)}
</section>
${variantsSectionHtml(report)}
${historySectionHtml(report)}
<section><h2>Strategies</h2>
<div class="strategies">
${report.strategies.map((s, index) => strategySectionHtml(s, index, graphs[index] ?? '')).join('\n')}
</div>
</section>
</main>
</body>
</html>
`;
}
