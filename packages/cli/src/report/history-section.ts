import { renderInterleaving } from '@coupling-lab/explorer';
import { escapeHtml, escapeMarkdown } from './escape.js';
import { bugReportHtml } from './html-bug-report.js';
import type { HistoryEntry, HistoryVerdict, Report } from './types.js';

const INTRO =
  'Each row is the kvm<->vfio coupling as it was posted, shipped or proposed upstream, run as a variant on the ' +
  'catalogue scenario that opens its window, and then its fix on the same scenario. A conviction is found by ' +
  'exploration and replays with explore --replay; a fix is clean over every schedule within the bound stated.';

/** The verdict as one phrase: 'use-after-free in 10 schedules' or 'clean (exhaustive, depth 2, 2 preemptions; 47 schedules)'. */
export function verdictPhrase(run: HistoryVerdict): string {
  const schedules = `${run.schedules.toLocaleString('en-US')} schedule${run.schedules === 1 ? '' : 's'}`;
  if (run.verdict === 'violation') return `${run.kind ?? 'violation'} (${schedules})`;
  if (run.verdict === 'skipped') return `skipped: ${run.reason ?? ''}`;
  return `clean (${run.bound ?? 'bounded'}; ${schedules})`;
}

/** Whether the row came out as upstream says: 'as upstream' or 'DIFFERS'. */
export function agreement(entry: HistoryEntry): string {
  return entry.matches ? 'as upstream' : 'DIFFERS from upstream';
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function markdownRow(entry: HistoryEntry): string {
  const { run, fix } = entry;
  const cells = [
    escapeMarkdown(entry.when),
    escapeMarkdown(entry.version),
    `${code(run.strategy)} on ${escapeMarkdown(entry.linux)}`,
    escapeMarkdown(entry.scenario),
    escapeMarkdown(verdictPhrase(run)),
    run.schedule === undefined ? '' : code(run.schedule),
    run.preemptions === undefined ? '' : String(run.preemptions),
    `${run.milliseconds} ms`,
    fix === undefined ? '' : `${code(fix.strategy)}: ${escapeMarkdown(verdictPhrase(fix))}`,
    escapeMarkdown(agreement(entry)),
  ];
  return `| ${cells.join(' | ')} |`;
}

function markdownEntry(entry: HistoryEntry): string[] {
  const { run, fix } = entry;
  return [
    `### ${escapeMarkdown(entry.when)}: ${escapeMarkdown(entry.version)}`,
    '',
    `${escapeMarkdown(entry.change)} (${escapeMarkdown(entry.source)}).`,
    '',
    `Upstream: ${escapeMarkdown(entry.upstream)}.`,
    '',
    `**What to take from it:** ${escapeMarkdown(entry.lesson)}`,
    '',
    `Explored: ${code(run.strategy)} on ${escapeMarkdown(entry.scenario)}, Linux ${escapeMarkdown(entry.linux)}: ${escapeMarkdown(verdictPhrase(run))}, expected ${escapeMarkdown(entry.expected)}.`,
    ...(run.report === undefined
      ? []
      : [
          '',
          '```text',
          renderInterleaving(run.report.steps, run.report.threads).replace(/```/g, "'''"),
          '```',
          '',
          `Replay: ${code(run.report.replay ?? '')}`,
        ]),
    ...(fix === undefined
      ? []
      : [
          '',
          `Fix: ${escapeMarkdown(fix.change)}, ${escapeMarkdown(fix.source)}; ${code(fix.strategy)}: ${escapeMarkdown(verdictPhrase(fix))}.`,
        ]),
    '',
  ];
}

/** report.md's History section; empty when the report has none. */
export function historySectionMarkdown(report: Report): string[] {
  const entries = report.history ?? [];
  if (entries.length === 0) return [];
  return [
    '## History',
    '',
    escapeMarkdown(INTRO),
    '',
    '| when | version | code | scenario | verdict | schedule | preemptions | time | fix | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...entries.map(markdownRow),
    '',
    ...entries.flatMap(markdownEntry),
  ];
}

function htmlRow(entry: HistoryEntry): string {
  const { run, fix } = entry;
  const verdictClass = run.verdict === 'violation' ? 'violation' : 'escaped';
  return [
    '<tr>',
    `<td>${escapeHtml(entry.when)}</td>`,
    `<th scope="row">${escapeHtml(entry.version)}</th>`,
    `<td><code>${escapeHtml(run.strategy)}</code> on ${escapeHtml(entry.linux)}</td>`,
    `<td>${escapeHtml(entry.scenario)}</td>`,
    `<td class="${verdictClass}">${escapeHtml(verdictPhrase(run))}</td>`,
    `<td><code>${escapeHtml(run.schedule ?? '')}</code></td>`,
    `<td>${run.preemptions === undefined ? '' : String(run.preemptions)}</td>`,
    `<td>${escapeHtml(`${run.milliseconds} ms`)}</td>`,
    `<td>${fix === undefined ? '' : `<code>${escapeHtml(fix.strategy)}</code>: ${escapeHtml(verdictPhrase(fix))}`}</td>`,
    `<td>${escapeHtml(agreement(entry))}</td>`,
    '</tr>',
  ].join('');
}

function htmlEntry(entry: HistoryEntry): string {
  const { run, fix } = entry;
  return [
    `<article class="history-row" data-history="${escapeHtml(run.strategy)}">`,
    `<h3>${escapeHtml(entry.when)}: ${escapeHtml(entry.version)}</h3>`,
    `<p>${escapeHtml(entry.change)} (<code>${escapeHtml(entry.source)}</code>).</p>`,
    `<p>Upstream: ${escapeHtml(entry.upstream)}.</p>`,
    `<p><strong>What to take from it:</strong> ${escapeHtml(entry.lesson)}</p>`,
    run.report === undefined
      ? `<p class="note"><code>${escapeHtml(run.strategy)}</code> on ${escapeHtml(entry.scenario)}: ${escapeHtml(verdictPhrase(run))}.</p>`
      : `<details class="conviction" open><summary><code>${escapeHtml(run.strategy)}</code> on ${escapeHtml(entry.scenario)}: ${escapeHtml(verdictPhrase(run))}</summary>${bugReportHtml(run.report)}</details>`,
    fix === undefined
      ? ''
      : `<p>Fix: ${escapeHtml(fix.change)}, <code>${escapeHtml(fix.source)}</code>; <code>${escapeHtml(fix.strategy)}</code>: ${escapeHtml(verdictPhrase(fix))}.</p>`,
    '</article>',
  ].join('\n');
}

/** report.html's History section; empty when the report has none. */
export function historySectionHtml(report: Report): string {
  const entries = report.history ?? [];
  if (entries.length === 0) return '';
  return [
    '<section id="history"><h2>History</h2>',
    `<p class="note">${escapeHtml(INTRO)}</p>`,
    '<div class="table-wrap"><table class="history"><thead><tr><th scope="col">when</th><th scope="col">version</th><th scope="col">code</th><th scope="col">scenario</th><th scope="col">verdict</th><th scope="col">schedule</th><th scope="col">preemptions</th><th scope="col">time</th><th scope="col">fix</th><th scope="col"></th></tr></thead>',
    `<tbody>${entries.map(htmlRow).join('')}</tbody></table></div>`,
    ...entries.map(htmlEntry),
    '</section>',
  ].join('\n');
}
