export { history, type HistoryFix, type HistoryRow } from './rows.js';
export { runHistory, verdictMatches, type HistoryOutcome, type HistoryRun } from './run-history.js';
