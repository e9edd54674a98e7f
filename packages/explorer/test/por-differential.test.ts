import { budgetOf } from '../src/core/explore.js';
import { catalogue, explore, history, scenarioNamed, type ScenarioVerdict } from '../src/index.js';
import { realStrategies, variants } from './strategies.js';

// Partial-order reduction against plain depth-first search: the same verdict and kind on every
// catalogue scenario x every strategy and variant, on both kernels, and on each history row's
// shapes; a violation's minimal schedule with no more preemptions than DFS's, lock-order
// witnesses included. The three-thread scenario is compared at one preemption (its
// space at two is ~20 000 schedules per strategy), the others at two.
const boundFor = (threads: number) => ({ maxDepth: 2, maxPreemptions: threads > 2 ? 1 : 2 });

// On v6.6 the three-thread scenario is left to v5.17 (its v6.6 space at one preemption costs ~4 s
// of the suite's two minutes); v6.6's own preemption points are raced by every two-thread entry.
const onBoth = (['v5.17', 'v6.6'] as const).flatMap((linux) =>
  catalogue
    .filter((scenario) => linux === 'v5.17' || scenario.threads.length === 2)
    .flatMap((scenario) =>
      [...realStrategies, ...variants].map((strategy) => [scenario.name, strategy, linux] as const),
    ),
);
// The history's own shapes (and fixes) on the scenario and kernel each row names.
const historical = history.flatMap((row) =>
  [row.strategy, ...(row.fix === undefined ? [] : [row.fix.strategy])].map(
    (strategy) => [row.scenario, strategy, row.linux] as const,
  ),
);
const cases = [...onBoth, ...historical];

function summary(verdict: ScenarioVerdict): string {
  if (verdict.verdict === 'violation') return `violation ${verdict.kind}`;
  if (verdict.verdict === 'clean') return `clean, exhaustive ${verdict.exhaustive}`;
  return 'skipped';
}

test.each(cases)('%s x %s on %s: POR and plain DFS agree', (name, strategy, linux) => {
  const bound = boundFor(scenarioNamed(name).threads.length);
  const reduced = explore(name, strategy, { ...bound, linux, por: true });
  const plain = explore(name, strategy, { ...bound, linux, por: false });
  expect(summary(reduced)).toBe(summary(plain));
  if (reduced.verdict === 'violation' && plain.verdict === 'violation') {
    expect(reduced.preemptions).toBeLessThanOrEqual(plain.preemptions);
    // Witnesses included (a lock-order's earlier schedules): the budget the whole string needs.
    expect(budgetOf(reduced.schedule)).toBeLessThanOrEqual(budgetOf(plain.schedule));
  }
  if (reduced.verdict === 'clean' && plain.verdict === 'clean') {
    // The reduction only drops schedules, never adds any.
    expect(reduced.schedules + reduced.pruned).toBeLessThanOrEqual(plain.schedules + plain.pruned);
  }
});
