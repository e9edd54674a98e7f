import { countsChartSvg, ratioChartSvg } from './charts.js';
import { benchNote } from './comparison-rows.js';
import { escapeHtml } from './escape.js';
import { comparisonTableHtml } from './html-comparison-table.js';
import { htmlStyle } from './html-style.js';
import { strategySectionHtml } from './html-strategy-section.js';
import type { Report } from './types.js';

// Forbids every fetch and every script, so the file stays self-contained even if some text slipped
// through unescaped.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

function ratioFigure(report: Report): string {
  const timed = report.strategies.filter((s) => s.bench !== undefined);
  const content =
    timed.length === 0
      ? '<p class="note">This run has no timings (the bench step did not run), so there is no ratio to chart.</p>'
      : `${ratioChartSvg(report.strategies)}<figcaption>Bars: median time per operation divided by direct's; whiskers: the interval; dashed line: as fast as direct.</figcaption>`;
  return `<figure id="ratio-chart">${content}</figure>`;
}

function header(report: Report): string {
  const { machine } = report;
  const quick = report.quick ? ' <span class="badge">quick run: fewer schedules and samples</span>' : '';
  return [
    '<header>',
    '<h1>coupling-lab: how KVM and VFIO call each other</h1>',
    `<p>coupling-lab ${escapeHtml(report.version)} · generated ${escapeHtml(report.generatedAt)}${quick}</p>`,
    `<p class="machine">${escapeHtml(machine.cpu)} · ${machine.cores} cores · Node ${escapeHtml(machine.node)} · ${escapeHtml(machine.platform)}</p>`,
    '</header>',
  ].join('\n');
}

/** report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched). */
export function renderHtml(report: Report): string {
  const note = benchNote(report);
  const differences =
    report.differences.length === 0
      ? '<p class="note">Nothing differs.</p>'
      : `<ul class="differences">${report.differences.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coupling-lab report · ${escapeHtml(report.generatedAt)}</title>
<style>${htmlStyle}</style>
</head>
<body>
${header(report)}
<main>
<section><h2>Side by side</h2>
<div class="table-wrap">${comparisonTableHtml(report)}</div>
${note === undefined ? '' : `<p class="note">${escapeHtml(note)}</p>`}
</section>
<section><h2>What differs</h2>
${differences}
</section>
<section><h2>Time relative to direct</h2>
${ratioFigure(report)}
</section>
<section><h2>Counted costs</h2>
<figure id="counts-chart">${countsChartSvg(report.strategies)}<figcaption>Per operation and strategy: symbol lookups, module gets and cross-module calls, stacked.</figcaption></figure>
</section>
<section><h2>Strategies</h2>
<div class="strategies">
${report.strategies.map(strategySectionHtml).join('\n')}
</div>
</section>
</main>
</body>
</html>
`;
}
