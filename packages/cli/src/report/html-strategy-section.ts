import { bugReportHtml } from './html-bug-report.js';
import { escapeHtml, idFragment } from './escape.js';
import { graphLegendHtml } from './module-graph.js';
import { strategyColour } from './palette.js';
import type { RaceResult, StrategyReport } from './types.js';

function racesTable(races: RaceResult[]): string {
  if (races.length === 0) return '<p class="note">No race scenarios were run.</p>';
  const rows = races.map((r) => {
    const schedule = r.schedule === undefined ? '' : `<code>${escapeHtml(r.schedule)}</code>`;
    return `<tr><td>${escapeHtml(r.scenario)}</td><td class="${r.verdict}">${escapeHtml(r.verdict)}${r.kind === undefined ? '' : `: ${escapeHtml(r.kind)}`}</td><td>${r.schedules.toLocaleString('en-US')}</td><td>${escapeHtml(r.bound ?? '')}</td><td>${schedule}</td></tr>`;
  });
  const reports = races.flatMap((r) => (r.report === undefined ? [] : [bugReportHtml(r.report)]));
  return `<div class="table-wrap"><table class="races"><thead><tr><th>scenario</th><th>verdict</th><th>schedules</th><th>bound</th><th>minimal schedule</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>${reports.join('\n')}`;
}

function exportsList(strategy: StrategyReport): string {
  const items = strategy.coupling.exports.map(
    (e) =>
      `<li>${escapeHtml(e.module)} exports ${e.symbols.length === 0 ? 'nothing' : e.symbols.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</li>`,
  );
  return items.length === 0 ? '' : `<ul class="exports">${items.join('')}</ul>`;
}

function failuresList(strategy: StrategyReport): string {
  const items = strategy.conformance.failures.map(
    (f) => `<li><strong>${escapeHtml(f.name)}</strong>: ${escapeHtml(f.error)}</li>`,
  );
  return items.length === 0 ? '' : `<h4>Conformance failures</h4><ul class="failures">${items.join('')}</ul>`;
}

/** One strategy's own section: summary, exports, module graph (its SVG laid out beforehand) and race results. */
export function strategySectionHtml(strategy: StrategyReport, index: number, graph: string): string {
  const name = escapeHtml(strategy.name);
  return [
    `<article class="strategy" id="strategy-${escapeHtml(idFragment(strategy.name))}" style="--swatch: ${strategyColour(index)}">`,
    `<h3>${name}</h3>`,
    `<p>${escapeHtml(strategy.summary)}</p>`,
    failuresList(strategy),
    exportsList(strategy),
    `<figure class="module-graph" data-strategy="${name}">${graph}${graphLegendHtml(strategy.coupling)}<figcaption>Modules of ${name} and how they depend on each other (laid out by Graphviz).</figcaption></figure>`,
    '<h4>Races</h4>',
    racesTable(strategy.races),
    '</article>',
  ].join('\n');
}
