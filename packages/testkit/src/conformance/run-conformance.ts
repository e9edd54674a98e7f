import { conformanceCases } from '../cases/index.js';
import { type ConformanceOptions, type ConformanceResult, runCase } from './run.js';
import { type StrategyRef, strategyName } from './strategy-ref.js';

/** Runs the conformance suite against one strategy, each case on its own fresh system. */
export function runConformance(strategy: StrategyRef, options: ConformanceOptions = {}): ConformanceResult {
  const filter = options.filter;
  const cases = (options.cases ?? conformanceCases).filter(
    (c) => filter === undefined || c.name.includes(filter),
  );
  const results = cases.map((c) => runCase(strategy, c, options.linux));
  const passed = results.filter((result) => result.ok).length;
  return { strategy: strategyName(strategy), passed, failed: results.length - passed, cases: results };
}
