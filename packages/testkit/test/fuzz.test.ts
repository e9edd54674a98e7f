import { differentialFuzz, fuzzRunsFromEnv } from '@coupling-lab/testkit';
import { realStrategies } from './strategies';

// COUPLING_LAB_FUZZ_RUNS raises the number of sequences; COUPLING_LAB_FUZZ_SEED replays a reported seed.
const numRuns = fuzzRunsFromEnv();
const seedText = process.env.COUPLING_LAB_FUZZ_SEED;
const seed = seedText === undefined || seedText === '' ? undefined : Number(seedText);

test(`the v6.6 strategies agree on ${numRuns} random syscall sequences on Linux v6.6`, () => {
  const strategies = realStrategies.filter((strategy) => strategy !== 'symbol-get');
  const report = differentialFuzz(strategies, {
    numRuns,
    linux: 'v6.6',
    ...(seed === undefined ? {} : { seed }),
  });
  // Every run prints its seed, pass or fail: COUPLING_LAB_FUZZ_SEED=<seed> replays it.
  console.log(report.message);
  if (!report.passed) throw new Error(report.message);
  expect(report.numRuns).toBe(numRuns);
}, 120_000);

test(`the five strategies agree on ${numRuns} random syscall sequences, and with Linux v5.17's own answers (SPEC 8)`, () => {
  const report = differentialFuzz(realStrategies, { numRuns, ...(seed === undefined ? {} : { seed }) });
  console.log(report.message);
  // On failure the message holds the shrunk command list, the error and the seed to replay it.
  if (!report.passed) throw new Error(report.message);
  expect(report.numRuns).toBe(numRuns);
  // The oracle checked results of every kind of step that has a predicted answer, errors included.
  const checks = report.oracleChecks ?? new Map<string, number>();
  for (const answer of [
    'attach 0',
    'add 0',
    'add -EINVAL',
    'setContainer -EINVAL',
    'open -EBUSY',
    'del -ENOENT',
  ])
    expect([answer, (checks.get(answer) ?? 0) > 0]).toEqual([answer, true]);
}, 120_000);

test('COUPLING_LAB_FUZZ_RUNS raises the run count and never lowers it below the CI floor', () => {
  expect(fuzzRunsFromEnv({})).toBe(1000);
  expect(fuzzRunsFromEnv({ COUPLING_LAB_FUZZ_RUNS: '50000' })).toBe(50000);
  expect(fuzzRunsFromEnv({ COUPLING_LAB_FUZZ_RUNS: '10' })).toBe(1000);
  expect(fuzzRunsFromEnv({ COUPLING_LAB_FUZZ_RUNS: 'lots' })).toBe(1000);
});
