import type { BenchCell, CountRow, RaceResult } from './types.js';

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * One operation's counted costs, e.g. "1 lookup · 1 get/1 put · 3 calls (3 indirect) · 2 locks".
 * Zero indirect calls and zero locks are left out to keep table cells short.
 */
export function formatCounts(row: CountRow): string {
  const calls =
    plural(row.crossModuleCalls, 'call') + (row.indirectCalls > 0 ? ` (${row.indirectCalls} indirect)` : '');
  const parts = [plural(row.symbolLookups, 'lookup'), `${row.moduleGets} get/${row.modulePuts} put`, calls];
  if (row.lockAcquisitions > 0) parts.push(plural(row.lockAcquisitions, 'lock'));
  return parts.join(' · ');
}

export function formatNs(ns: number): string {
  if (ns >= 10_000) return `${(ns / 1000).toFixed(1)} µs`;
  return `${ns >= 10 ? Math.round(ns).toLocaleString('en-US') : ns.toFixed(1)} ns`;
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** e.g. "420 ns · 1.82× [1.75–1.90]": time per operation, then its ratio to direct and the interval. */
export function formatBench(cell: BenchCell): string {
  const [low, high] = cell.ci;
  const ns = cell.belowResolution === true ? 'below timer resolution' : formatNs(cell.nsPerOp);
  const interval = `[${low.toFixed(2)}–${high.toFixed(2)}]`;
  return cell.withinNoise === true && !(low === 1 && high === 1)
    ? `${ns} · within noise ${interval}`
    : `${ns} · ${formatRatio(cell.ratioToDirect)} ${interval}`;
}

/** e.g. "clean · 1,204 schedules" or "violation: use-after-free · 1 2@9" (the schedule replays it). */
export function formatRace(race: RaceResult): string {
  switch (race.verdict) {
    case 'clean':
      return `clean · ${plural(race.schedules, 'schedule')}`;
    case 'violation':
      return `violation: ${race.kind ?? 'unnamed'}${race.schedule === undefined ? '' : ` · ${race.schedule}`}`;
    case 'skipped':
      return 'skipped';
  }
}
