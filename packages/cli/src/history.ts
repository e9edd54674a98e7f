import {
  type HistoryOutcome,
  type HistoryRun,
  runHistory,
  type ScenarioVerdict,
} from '@coupling-lab/explorer';
import type { HistoryEntry, HistoryVerdict } from './report/types.js';

function boundText(verdict: ScenarioVerdict): string | undefined {
  if (verdict.verdict === 'skipped') return undefined;
  const { maxDepth, maxPreemptions } = verdict.bound;
  const covered = verdict.verdict === 'clean' && !verdict.exhaustive ? 'cut short' : 'exhaustive';
  return `${covered}, depth ${maxDepth}, ${maxPreemptions} preemptions`;
}

function historyVerdict(run: HistoryRun): HistoryVerdict {
  const { verdict } = run;
  const bound = boundText(verdict);
  return {
    strategy: run.strategy,
    verdict: verdict.verdict,
    ...(verdict.verdict === 'skipped'
      ? { reason: verdict.reason, schedules: 0 }
      : { schedules: verdict.schedules }),
    ...(bound === undefined ? {} : { bound }),
    ...(verdict.verdict === 'violation'
      ? { kind: verdict.kind, schedule: verdict.schedule, preemptions: verdict.preemptions }
      : {}),
    milliseconds: Math.round(run.milliseconds * 10) / 10,
    ...(run.report === undefined ? {} : { report: run.report }),
  };
}

function historyEntry(outcome: HistoryOutcome): HistoryEntry {
  const { row, run, fix } = outcome;
  return {
    when: row.when,
    version: row.version,
    change: row.change,
    source: row.source,
    upstream: row.upstream,
    lesson: row.lesson,
    linux: row.linux,
    scenario: row.scenario,
    expected: row.expected,
    run: historyVerdict(run),
    ...(fix === undefined || row.fix === undefined
      ? {}
      : { fix: { ...historyVerdict(fix), source: row.fix.source, change: row.fix.change } }),
    matches: outcome.matches,
  };
}

/** Every history row explored (its code, then its fix), as report data. */
export function historyEntries(): HistoryEntry[] {
  return runHistory().map(historyEntry);
}
