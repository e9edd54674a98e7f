import { DEFAULT_BOUND, history, replay, runHistory } from '../src/index.js';
import './strategies.js';

const outcomes = runHistory();

test.each(outcomes.map((outcome) => [outcome.row.strategy, outcome] as const))(
  '%s: the verdict is the one upstream found, and its fix is clean',
  (_name, outcome) => {
    const { row, run, fix } = outcome;
    if (row.expected === 'clean') {
      expect(run.verdict).toMatchObject({ verdict: 'clean', exhaustive: true, bound: DEFAULT_BOUND });
    } else {
      // A model change that hides a historical bug fails here.
      expect(run.verdict.verdict === 'violation' ? run.verdict.kind : run.verdict).toBe(row.expected);
    }
    if (fix !== undefined) {
      expect(fix.verdict.verdict === 'clean' ? 'clean' : fix.verdict).toBe('clean');
      expect(fix.verdict).toMatchObject({ exhaustive: true, bound: DEFAULT_BOUND });
    }
    expect(outcome.matches).toBe(true);
  },
);

test.each(
  outcomes.flatMap((outcome) =>
    outcome.run.verdict.verdict === 'violation' ? [[outcome.row.strategy, outcome] as const] : [],
  ),
)(
  '%s: the conviction replays with explore --replay, and the fix survives the same schedule',
  (_name, outcome) => {
    const { row, run, fix } = outcome;
    if (run.verdict.verdict !== 'violation') throw new Error('expected a violation');
    expect(replay(row.scenario, row.strategy, run.verdict.schedule, row.linux)).toMatchObject({
      verdict: 'violation',
      kind: row.expected,
    });
    expect(run.report?.replay).toContain(`--replay '${run.verdict.schedule}'`);
    if (fix !== undefined) {
      // The schedule that convicts the bug may not fit the fix (it can take other preemption points); when it does, it is clean.
      try {
        expect(replay(row.scenario, fix.strategy, run.verdict.schedule, row.linux).verdict).toBe('clean');
      } catch (error) {
        expect((error as Error).name).toBe('ScheduleError');
      }
    }
  },
);

test('every bug row names the fix that cleared it, and every row a source', () => {
  for (const row of history) {
    expect(row.source).not.toBe('');
    if (row.expected !== 'clean') expect(row.fix?.source).toMatch(/[0-9a-f]{12}/);
  }
});
