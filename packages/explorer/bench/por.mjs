// Partial-order reduction and the worker pool on the whole catalogue (nine scenarios x the five
// real strategies and the five variants):
//   1. schedules explored with POR (sleep sets, one pass at the full budget) and without (plain
//      depth-first search by iterative deepening, re-executions included) at the default bound and
//      at a deeper one (DEEPER, by default one more preemption than the default bound);
//   2. wall time of the whole catalogue at the default bound and at the deeper one with 1 and
//      with 2 workers (one piscina pool for all pairs), each pass in a fresh process, and whether
//      every verdict was exhaustive; beside them, a reference for the same work: two fresh
//      processes at once, each running half of the pairs in its one thread (no pool, nothing
//      shared; the halves are not equal work, so it is no ceiling).
// The goals: at least 5x fewer schedules at the deeper bound; 2 workers at least 1.7x faster
// than 1; the whole catalogue at the default bound in under 60 s.
// Build first: npx tsc -b packages; then: node packages/explorer/bench/por.mjs
// SKIP_DFS=1 leaves out the plain-DFS runs (minutes at the deeper bound); SKIP_COUNTS=1 the whole
// count part; ROUNDS=n (default 5) sets the rounds of the wall-time part at each bound (0: none);
// WALL_PREEMPTIONS=n[,m...] runs the wall-time part at those preemption budgets instead.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { catalogue, DEFAULT_BOUND, explore, exploreParallel, explorerPool } from '../dist/index.js';

const require = createRequire(import.meta.url);
const packages = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'];
const imports = packages.map((name) => require.resolve(`@coupling-lab/strategy-${name}`));
for (const specifier of imports) await import(specifier);

const strategies = [
  ...packages,
  'symbol-get/v5.17-race',
  'symbol-get-file/v5.19-race',
  'get-ops/no-file-ref',
  'register-ops/no-owner',
  'register-ops/unlocked',
];
const deeper = Number(process.env.DEEPER ?? DEFAULT_BOUND.maxPreemptions + 1);
const wallBudgets = (process.env.WALL_PREEMPTIONS ?? `${DEFAULT_BOUND.maxPreemptions},${deeper}`)
  .split(',')
  .map(Number);
if (!wallBudgets.every((budget) => Number.isInteger(budget) && budget >= 0))
  throw new Error(
    `WALL_PREEMPTIONS must be whole numbers >= 0, comma-separated, not "${process.env.WALL_PREEMPTIONS}"`,
  );
const everyPair = catalogue.flatMap((scenario) => strategies.map((strategy) => ({ scenario, strategy })));
// HALF=0 or 1 (the reference's children): every other pair, so that both halves hold every scenario.
const half = process.env.HALF === undefined ? undefined : Number(process.env.HALF);
const pairs = half === undefined ? everyPair : everyPair.filter((_, index) => index % 2 === half);

/** Schedules a verdict accounts for (run to the end or pruned); plain DFS's re-executions are counted separately. */
const explored = (verdict) => (verdict.verdict === 'skipped' ? 0 : verdict.schedules + verdict.pruned);

function schedulesAt(maxPreemptions, por) {
  let total = 0;
  let violations = 0;
  const start = performance.now();
  for (const { scenario, strategy } of pairs) {
    const verdict = explore(scenario, strategy, { maxPreemptions, por, maxSchedules: 10_000_000 });
    total += explored(verdict);
    if (verdict.verdict === 'violation') violations++;
  }
  return { total, violations, seconds: (performance.now() - start) / 1000 };
}

if (process.env.WALL_WORKERS === undefined) {
  console.log(`schedules explored on the whole catalogue (${pairs.length} pairs, one thread)\n`);
  console.log('bound                    POR       plain DFS   ratio   violations (POR / DFS)');
}
for (const maxPreemptions of process.env.SKIP_COUNTS || process.env.WALL_WORKERS
  ? []
  : [DEFAULT_BOUND.maxPreemptions, deeper]) {
  const reduced = schedulesAt(maxPreemptions, true);
  const plain = process.env.SKIP_DFS ? undefined : schedulesAt(maxPreemptions, false);
  const label = `depth ${DEFAULT_BOUND.maxDepth}, ${maxPreemptions} preemptions`;
  console.log(
    `${label.padEnd(24)} ${String(reduced.total).padStart(9)}  ${String(plain?.total ?? '-').padStart(10)}  ` +
      `${plain === undefined ? '  -  ' : (plain.total / reduced.total).toFixed(2).padStart(5)}x  ` +
      `${reduced.violations} / ${plain?.violations ?? '-'}   (${reduced.seconds.toFixed(1)} s / ${plain?.seconds.toFixed(1) ?? '-'} s)`,
  );
}

/** CPU seconds of every thread of this process so far (Linux: /proc), or undefined elsewhere. */
function cpuSeconds() {
  try {
    let ticks = 0;
    for (const task of readdirSync('/proc/self/task')) {
      const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/**
 * One pass over the whole catalogue at `budget` preemptions with `workers` (1: in this thread, as
 * `explore --workers 1` runs; more: one piscina pool for all pairs), in this process.
 */
async function wall(workers, budget) {
  const pool = workers > 1 ? explorerPool(workers) : undefined;
  const cpuBefore = cpuSeconds();
  const start = performance.now();
  const verdicts = await Promise.all(
    pairs.map(({ scenario, strategy }) =>
      exploreParallel(scenario, strategy, {
        workers,
        imports,
        maxPreemptions: budget,
        ...(pool === undefined ? {} : { pool }),
      }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  // Before destroying the pool: its threads' CPU time counts.
  const cpuAfter = cpuSeconds();
  await pool?.destroy();
  const exhaustive = verdicts.every((verdict) => verdict.verdict !== 'clean' || verdict.exhaustive);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { seconds, cpu, exhaustive, total: verdicts.reduce((sum, verdict) => sum + explored(verdict), 0) };
}

/** One pass at `budget` in a fresh process (this script as a child): its figures. */
function child(workers, budget, env = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url)],
      { env: { ...process.env, ...env, WALL_WORKERS: String(workers), WALL_BUDGET: String(budget) } },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').at(-1)))),
    );
  });
}

if (process.env.WALL_WORKERS !== undefined) {
  // The child's side of the wall-time part: one pass, its figures as JSON.
  console.log(JSON.stringify(await wall(Number(process.env.WALL_WORKERS), Number(process.env.WALL_BUDGET))));
} else if (Number(process.env.ROUNDS ?? 5) > 0) {
  // Each pass runs in a fresh process, as `coupling-lab explore` does: both subjects start with a
  // cold JIT and build their setup snapshots (in one process, the single-thread passes after the
  // first would run on code the earlier ones warmed, and each pool's threads would not). Each
  // round runs 1 worker, 2 workers and the reference one after another, so that a change in the
  // machine's speed (a shared host: the same pass has taken 12 s and 18 s within an hour) hits
  // all three alike; the speed-ups are medians of the rounds' ratios. Each line gives the 1-minute
  // load average at its start (other jobs on a 2-core machine make a ratio meaningless) and the
  // CPU time of all threads (against the wall time: how busy the threads were).
  const rounds = Number(process.env.ROUNDS ?? 5);
  const line = (label, run, load) =>
    console.log(
      `${label}: ${run.seconds.toFixed(1)} s, ${run.total} schedules, exhaustive: ${run.exhaustive}, ` +
        `cpu ${run.cpu?.toFixed(1) ?? '-'} s, load ${load.toFixed(2)}`,
    );
  /** A pass (or the reference's two at once) and its line, with the load average at its start. */
  const timed = async (label, pass) => {
    const load = loadavg()[0];
    const run = await pass();
    line(label, run, load);
    return run;
  };
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const summary = [];
  for (const budget of wallBudgets) {
    console.log(
      `\nthe whole catalogue at depth ${DEFAULT_BOUND.maxDepth}, ${budget} preemptions, work units on a piscina pool, ` +
        `${rounds} round(s), a fresh process each\n`,
    );
    const ratios = { pool: [], reference: [] };
    for (let round = 0; round < rounds; round++) {
      const one = await timed('1 worker   ', () => child(1, budget));
      const two = await timed('2 workers  ', () => child(2, budget));
      const reference = await timed('2 processes', async () => {
        const halves = await Promise.all([child(1, budget, { HALF: '0' }), child(1, budget, { HALF: '1' })]);
        const cpus = halves.map((run) => run.cpu);
        return {
          seconds: Math.max(...halves.map((run) => run.seconds)),
          total: halves[0].total + halves[1].total,
          exhaustive: halves.every((run) => run.exhaustive),
          cpu: cpus.includes(undefined) ? undefined : cpus[0] + cpus[1],
        };
      });
      ratios.pool.push(one.seconds / two.seconds);
      ratios.reference.push(one.seconds / reference.seconds);
      console.log(
        `  round ${round + 1}: 2 workers ${(one.seconds / two.seconds).toFixed(2)}x, ` +
          `2 processes ${(one.seconds / reference.seconds).toFixed(2)}x\n`,
      );
    }
    const pool = median(ratios.pool);
    const reference = median(ratios.reference);
    summary.push(
      `${budget} preemptions: 2 workers ${pool.toFixed(2)}x 1 worker (median of the rounds; ` +
        `${Math.min(...ratios.pool).toFixed(2)}x to ${Math.max(...ratios.pool).toFixed(2)}x); ` +
        `2 processes with half the pairs each ${reference.toFixed(2)}x`,
    );
  }
  console.log(summary.join('\n'));
}
