import { renderInterleaving } from '@coupling-lab/explorer';
import { historyEntries } from '../history.js';
import { fitTable, wrapText } from '../report/index.js';
import { agreement, verdictPhrase } from '../report/history-section.js';
import type { HistoryEntry } from '../report/types.js';

export interface HistoryOptions {
  readonly json?: boolean;
  readonly width?: number;
}

function lines(text: string, width: number | undefined): string[] {
  return width === undefined ? [text] : wrapText(text, width);
}

/** One row's story: what it was, what upstream did, the conviction's interleaving and replay, the fix, the lesson. */
function rowStory(entry: HistoryEntry, width: number | undefined): string[] {
  const { run, fix } = entry;
  return [
    '',
    `${entry.when}: ${entry.version}`,
    ...lines(`  ${entry.change} (${entry.source}).`, width),
    ...lines(`  Upstream: ${entry.upstream}.`, width),
    ...lines(
      `  Explored: ${run.strategy} on ${entry.scenario} (Linux ${entry.linux}): ${verdictPhrase(run)}, in ${run.milliseconds} ms; expected ${entry.expected}: ${agreement(entry)}.`,
      width,
    ),
    ...(run.report === undefined
      ? []
      : [
          renderInterleaving(run.report.steps, run.report.threads, width === undefined ? {} : { width })
            .split('\n')
            .map((line) => `  ${line}`)
            .join('\n'),
          ...lines(`  replay: ${run.report.replay ?? ''}`, width),
        ]),
    ...(fix === undefined
      ? []
      : lines(`  Fix: ${fix.change}, ${fix.source}; ${fix.strategy}: ${verdictPhrase(fix)}.`, width)),
    ...lines(`  What to take from it: ${entry.lesson}`, width),
  ];
}

/** The timeline as text: the table, then each row's story. */
export function renderHistory(entries: readonly HistoryEntry[], width?: number): string {
  const rows = entries.map((entry) => [
    entry.when,
    `${entry.run.strategy} (${entry.linux})`,
    entry.scenario,
    entry.run.verdict === 'violation' ? (entry.run.kind ?? 'violation') : entry.run.verdict,
    entry.run.schedule ?? '',
    entry.run.preemptions === undefined ? '' : String(entry.run.preemptions),
    `${entry.run.milliseconds} ms`,
    entry.fix === undefined ? '' : `${entry.fix.strategy}: ${entry.fix.verdict}`,
    agreement(entry),
  ]);
  return [
    ...lines(
      "The kvm<->vfio coupling's history: each posted, shipped or proposed shape explored on the scenario that opens its window, then its fix (replay a conviction with coupling-lab explore <scenario> --strategy <code> --linux <kernel> --replay '<schedule>').",
      width,
    ),
    fitTable(
      ['when', 'code', 'scenario', 'verdict', 'schedule', 'preemptions', 'time', 'fix', 'upstream'],
      rows,
      { width, keyColumns: 2 },
    ),
    ...entries.flatMap((entry) => rowStory(entry, width)),
  ].join('\n');
}

/**
 * `coupling-lab history [--json]`: every row of the coupling's history explored; exit code 1 when
 * a row's verdict is not upstream's (a model change hid a bug, or convicts a fix).
 */
export function historyCommand(options: HistoryOptions): { output: string; exitCode: number } {
  const entries = historyEntries();
  const output = options.json
    ? JSON.stringify({ history: entries }, null, 2)
    : renderHistory(entries, options.width);
  return { output, exitCode: entries.every((entry) => entry.matches) ? 0 : 1 };
}
