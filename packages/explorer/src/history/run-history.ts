import { performance } from 'node:perf_hooks';
import type { ExploreOptions } from '../core/index.js';
import { explore, type ScenarioVerdict } from '../explore-strategy.js';
import type { BugReport } from '../report/bug-report.js';
import { labBugReport } from '../report/lab-bug-report.js';
import { history, type HistoryRow } from './rows.js';

/** One exploration of a history row: the verdict and how long it took (for the timeline, never asserted). */
export interface HistoryRun {
  readonly strategy: string;
  readonly verdict: ScenarioVerdict;
  readonly milliseconds: number;
  /** For a violation: the report, with the interleaving and the replay command. */
  readonly report?: BugReport;
}

export interface HistoryOutcome {
  readonly row: HistoryRow;
  /** The row's own code on its scenario. */
  readonly run: HistoryRun;
  /** The fix on the same scenario, when the row has one. */
  readonly fix?: HistoryRun;
  /** Whether the row's verdict is its expectation and its fix is clean. */
  readonly matches: boolean;
}

function runOne(row: HistoryRow, strategy: string, options: ExploreOptions): HistoryRun {
  const start = performance.now();
  const verdict = explore(row.scenario, strategy, { ...options, linux: row.linux });
  const milliseconds = performance.now() - start;
  if (verdict.verdict !== 'violation') return { strategy, verdict, milliseconds };
  const report = labBugReport(row.scenario, strategy, verdict, { linux: row.linux });
  return { strategy, verdict, milliseconds, report };
}

/** Whether `run` is what `expected` says: that violation, or clean. */
export function verdictMatches(run: HistoryRun, expected: HistoryRow['expected']): boolean {
  const { verdict } = run;
  if (expected === 'clean') return verdict.verdict === 'clean';
  return verdict.verdict === 'violation' && verdict.kind === expected;
}

/**
 * Runs every row: its code on its scenario, by exploration within the default bound (or
 * `options`), then its fix on the same scenario.
 */
export function runHistory(
  rows: readonly HistoryRow[] = history,
  options: ExploreOptions = {},
): HistoryOutcome[] {
  return rows.map((row) => {
    const run = runOne(row, row.strategy, options);
    const fix = row.fix === undefined ? undefined : runOne(row, row.fix.strategy, options);
    const matches = verdictMatches(run, row.expected) && (fix === undefined || verdictMatches(fix, 'clean'));
    return { row, run, ...(fix === undefined ? {} : { fix }), matches };
  });
}
