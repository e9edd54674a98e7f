import { catalogue, explore, type ScenarioVerdict } from '../src/index.js';
import { realStrategies, variants } from './strategies.js';

// Partial-order reduction against plain depth-first search: the same verdict and kind on every
// catalogue scenario x every strategy and variant, and a violation's minimal schedule with no
// more preemptions than DFS's. The three-thread scenario is compared at one preemption (its
// space at two is ~20 000 schedules per strategy), the others at two.
const boundFor = (threads: number) => ({ maxDepth: 2, maxPreemptions: threads > 2 ? 1 : 2 });

const cases = catalogue.flatMap((scenario) =>
  [...realStrategies, ...variants].map((strategy) => [scenario.name, strategy, scenario] as const),
);

function summary(verdict: ScenarioVerdict): string {
  if (verdict.verdict === 'violation') return `violation ${verdict.kind}`;
  if (verdict.verdict === 'clean') return `clean, exhaustive ${verdict.exhaustive}`;
  return 'skipped';
}

test.each(cases)('%s x %s: POR and plain DFS agree', (_name, strategy, scenario) => {
  const bound = boundFor(scenario.threads.length);
  const reduced = explore(scenario, strategy, { ...bound, por: true });
  const plain = explore(scenario, strategy, { ...bound, por: false });
  expect(summary(reduced)).toBe(summary(plain));
  if (reduced.verdict === 'violation' && plain.verdict === 'violation') {
    expect(reduced.preemptions).toBeLessThanOrEqual(plain.preemptions);
  }
  if (reduced.verdict === 'clean' && plain.verdict === 'clean') {
    // The reduction only drops schedules, never adds any.
    expect(reduced.schedules + reduced.pruned).toBeLessThanOrEqual(plain.schedules + plain.pruned);
  }
});
