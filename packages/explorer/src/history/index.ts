export { history, historyOnlyVariants, type HistoryFix, type HistoryRow } from './rows.js';
export { runHistory, verdictMatches, type HistoryOutcome, type HistoryRun } from './run-history.js';
