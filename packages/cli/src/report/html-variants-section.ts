import { bugReportHtml } from './html-bug-report.js';
import { escapeHtml } from './escape.js';
import type { RaceResult, Report, VariantReport } from './types.js';

const convictions = (variant: VariantReport): RaceResult[] =>
  variant.races.filter((race) => race.verdict === 'violation');

function summaryRows(variant: VariantReport): string {
  const found = convictions(variant);
  const name = `<th scope="row"${found.length > 1 ? ` rowspan="${found.length}"` : ''}><code>${escapeHtml(variant.name)}</code></th>`;
  const difference = `<td${found.length > 1 ? ` rowspan="${found.length}"` : ''}>${escapeHtml(variant.difference)}</td>`;
  if (found.length === 0)
    return `<tr>${name}${difference}<td colspan="3" class="escaped">not convicted by any scenario</td></tr>`;
  return found
    .map(
      (race, index) =>
        `<tr>${index === 0 ? name + difference : ''}<td>${escapeHtml(race.scenario)}</td><td class="violation">${escapeHtml(race.kind ?? 'violation')}</td><td><code>${escapeHtml(race.schedule ?? '')}</code></td></tr>`,
    )
    .join('');
}

function variantArticle(variant: VariantReport): string {
  const found = convictions(variant);
  const clean = variant.races.filter((race) => race.verdict === 'clean').length;
  const details = found.map(
    (race, index) =>
      `<details class="conviction"${index === 0 ? ' open' : ''}><summary>${escapeHtml(race.scenario)}: ${escapeHtml(race.kind ?? 'violation')} <code>${escapeHtml(race.schedule ?? '')}</code> (${race.schedules.toLocaleString('en-US')} schedule${race.schedules === 1 ? '' : 's'})</summary>${race.report === undefined ? '' : bugReportHtml(race.report)}</details>`,
  );
  return [
    `<article class="variant" data-variant="${escapeHtml(variant.name)}">`,
    `<h3><code>${escapeHtml(variant.name)}</code></h3>`,
    `<p>Variant of <strong>${escapeHtml(variant.of)}</strong>, one difference: ${escapeHtml(variant.difference)}</p>`,
    `<p class="note">Convicted in ${found.length} of ${variant.races.length} scenarios; clean in ${clean}.</p>`,
    ...details,
    '</article>',
  ].join('\n');
}

/**
 * The Variants section: each variant of a compared strategy, its one documented difference, and
 * what the race catalogue found in it: the verdict, the minimal schedule and the interleaving.
 */
export function variantsSectionHtml(report: Report): string {
  const variants = report.variants ?? [];
  if (variants.length === 0) return '';
  return [
    '<section id="variants"><h2>Variants and their convictions</h2>',
    '<p class="note">A variant is a strategy with one documented difference, the bug the kernel thread argued about. The race catalogue is run against each; a conviction is a minimal schedule that replays to the same violation.</p>',
    `<div class="table-wrap"><table class="variants"><thead><tr><th scope="col">variant</th><th scope="col">its one difference</th><th scope="col">convicted in</th><th scope="col">found</th><th scope="col">schedule</th></tr></thead><tbody>${variants.map(summaryRows).join('')}</tbody></table></div>`,
    ...variants.map(variantArticle),
    '</section>',
  ].join('\n');
}
