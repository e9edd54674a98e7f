import { comparisonRows, type ComparisonRow } from '../src/report/comparison-rows.js';
import { operationNames, type Report } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

/** The report as report.json holds it: what a reader of the file would compute from. */
const raw = (): Report => JSON.parse(JSON.stringify(sampleReport())) as Report;

function rowCells(rows: ComparisonRow[], label: string, section?: string): string[][] {
  let current = '';
  for (const row of rows) {
    if (row.kind === 'section') current = row.title;
    else if (row.label === label && (section === undefined || current === section))
      return row.cells.map((c) => c.lines);
  }
  throw new Error(`no row "${label}"`);
}

test('the fixture tells gets from puts and working load orders from failing ones, so a swap or a wrong count shows', () => {
  const report = raw();
  const counts = report.strategies.flatMap((s) => operationNames.map((op) => s.counts[op]));
  expect(counts.some((c) => c.moduleGets !== c.modulePuts)).toBe(true);
  expect(report.strategies.some((s) => s.coupling.loadOrders.some((o) => !o.ok))).toBe(true);
  expect(report.strategies.some((s) => s.coupling.loadOrders.every((o) => o.ok))).toBe(true);
});

test('"Load orders that work" counts the orders that work, out of all orders tried', () => {
  const report = raw();
  const cells = rowCells(comparisonRows(sampleReport()), 'Load orders that work');
  report.strategies.forEach((s, index) => {
    let working = 0;
    for (const order of s.coupling.loadOrders) if (order.ok === true) working += 1;
    expect(cells[index]).toEqual([`${working} of ${s.coupling.loadOrders.length}`]);
  });
});

test('each counted-per-operation cell reads back as the raw lookups, gets, puts, calls, indirect calls and locks', () => {
  const report = raw();
  const rows = comparisonRows(sampleReport());
  const pattern =
    /^(\d+) lookups? · (\d+) get\/(\d+) put · (\d+) calls?(?: \((\d+) indirect\))?(?: · (\d+) locks?)?$/;
  for (const op of operationNames) {
    const cells = rowCells(rows, op, 'Counted per operation');
    report.strategies.forEach((s, index) => {
      const match = pattern.exec(cells[index]?.[0] ?? '');
      expect(match).not.toBeNull();
      const [, lookups, gets, puts, calls, indirect, locks] = match ?? [];
      expect({
        op,
        strategy: s.name,
        lookups: Number(lookups),
        gets: Number(gets),
        puts: Number(puts),
        calls: Number(calls),
        indirect: Number(indirect ?? 0),
        locks: Number(locks ?? 0),
      }).toEqual({
        op,
        strategy: s.name,
        lookups: s.counts[op].symbolLookups,
        gets: s.counts[op].moduleGets,
        puts: s.counts[op].modulePuts,
        calls: s.counts[op].crossModuleCalls,
        indirect: s.counts[op].indirectCalls,
        locks: s.counts[op].lockAcquisitions,
      });
    });
  }
});

test('conformance, exports, edges, loads alone and unload-while-in-use match the raw report', () => {
  const report = raw();
  const rows = comparisonRows(sampleReport());
  const none = ['none'];
  report.strategies.forEach((s, index) => {
    expect(rowCells(rows, 'Conformance')[index]).toEqual([
      `${s.conformance.passed} passed / ${s.conformance.failed} failed`,
    ]);
    const exported = s.coupling.exports.filter((e) => e.symbols.length > 0);
    expect(rowCells(rows, 'Exports for the other side')[index]).toEqual(
      exported.length === 0
        ? none
        : exported.map((e) => `${e.module}: ${e.symbols.length} symbol${e.symbols.length > 1 ? 's' : ''}`),
    );
    const hard = s.coupling.edges.filter((e) => e.kind === 'hard').map((e) => `${e.from} → ${e.to}`);
    expect(rowCells(rows, 'Hard edges (load time)')[index]).toEqual(hard.length === 0 ? none : hard);
    const runtime = s.coupling.edges
      .filter((e) => e.kind !== 'hard')
      .map((e) => `${e.from} → ${e.to} (${e.kind})`);
    expect(rowCells(rows, 'Run-time links')[index]).toEqual(runtime.length === 0 ? none : runtime);
    expect(rowCells(rows, 'Loads alone')[index]).toEqual(
      s.coupling.loadsAlone.length === 0 ? none : [s.coupling.loadsAlone.join(', ')],
    );
    expect(rowCells(rows, 'Unload while in use')[index]).toEqual(
      s.coupling.unloadWhileInUse.map((u) => `${u.module}: ${u.result}`),
    );
  });
});

test('race cells name the verdict, and a violation its kind and the schedule that replays it', () => {
  const report = raw();
  const rows = comparisonRows(sampleReport());
  for (const scenario of new Set(report.strategies.flatMap((s) => s.races.map((r) => r.scenario)))) {
    const cells = rowCells(rows, scenario, 'Races');
    report.strategies.forEach((s, index) => {
      const race = s.races.find((r) => r.scenario === scenario);
      const expected =
        race === undefined
          ? 'not run'
          : race.verdict === 'violation'
            ? `violation: ${race.kind} · ${race.schedule}`
            : race.verdict === 'clean'
              ? `clean · ${race.schedules.toLocaleString('en-US')} schedule${race.schedules === 1 ? '' : 's'}`
              : 'skipped';
      expect(cells[index]).toEqual([expected]);
    });
  }
});
