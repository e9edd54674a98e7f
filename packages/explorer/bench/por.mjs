// Partial-order reduction and the worker pool on the whole catalogue (nine scenarios x the five
// real strategies and the five variants):
//   1. schedules explored with POR (sleep sets, one pass at the full budget) and without (plain
//      depth-first search by iterative deepening, re-executions included) at the default bound and
//      at a deeper one (DEEPER, by default one more preemption than the default bound);
//   2. wall time of the whole catalogue at the default bound with 1 and with 2 workers (one piscina
//      pool for all pairs), each pass in a fresh process, and whether every verdict was exhaustive.
// The goals: at least 5x fewer schedules at the deeper bound; 2 workers at least 1.7x faster
// than 1; the whole catalogue at the default bound in under 60 s.
// Build first: npx tsc -b packages; then: node packages/explorer/bench/por.mjs
// SKIP_DFS=1 leaves out the plain-DFS runs (minutes at the deeper bound); SKIP_COUNTS=1 the whole
// count part; ROUNDS=n (default 3) sets the rounds of the wall-time part (0: none).
import { execFileSync } from 'node:child_process';
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
const pairs = catalogue.flatMap((scenario) => strategies.map((strategy) => ({ scenario, strategy })));

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
 * One pass over the whole catalogue at the default bound with `workers` (1: in this thread, as
 * `explore --workers 1` runs; more: one piscina pool for all pairs), in this process.
 */
async function wall(workers) {
  const pool = workers > 1 ? explorerPool(workers) : undefined;
  const cpuBefore = cpuSeconds();
  const start = performance.now();
  const verdicts = await Promise.all(
    pairs.map(({ scenario, strategy }) =>
      exploreParallel(scenario, strategy, { workers, imports, ...(pool === undefined ? {} : { pool }) }),
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

if (process.env.WALL_WORKERS !== undefined) {
  // The child's side of the wall-time part: one pass, its figures as JSON.
  console.log(JSON.stringify(await wall(Number(process.env.WALL_WORKERS))));
} else if (Number(process.env.ROUNDS ?? 3) > 0) {
  // Each pass runs in a fresh process, as `coupling-lab explore` does: both subjects start with a
  // cold JIT and build their setup snapshots (in one process, the single-thread passes after the
  // first would run on code the earlier ones warmed, and each pool's threads would not). Rounds
  // alternate 1 and 2 workers, so that a change in the machine's load hits both alike; the speed-up
  // is the ratio of the medians. Each line gives the 1-minute load average at its start (other
  // jobs on a 2-core machine make a ratio meaningless) and the CPU time of all threads (against
  // the wall time: how busy the workers were).
  const rounds = Number(process.env.ROUNDS ?? 3);
  console.log(
    `\nthe whole catalogue at the default bound, work units on a piscina pool, ${rounds} round(s), a fresh process each\n`,
  );
  const runs = { 1: [], 2: [] };
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 2]) {
      const load = loadavg()[0];
      const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, WALL_WORKERS: String(workers) },
      });
      const run = JSON.parse(output.toString().trim().split('\n').at(-1));
      runs[workers].push(run);
      console.log(
        `${workers} worker${workers > 1 ? 's' : ' '}: ${run.seconds.toFixed(1)} s, ${run.total} schedules, ` +
          `exhaustive: ${run.exhaustive}, cpu ${run.cpu?.toFixed(1) ?? '-'} s, load ${load.toFixed(2)}`,
      );
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const one = median(runs[1].map((run) => run.seconds));
  const two = median(runs[2].map((run) => run.seconds));
  console.log(`speed-up : ${(one / two).toFixed(2)}x (medians ${one.toFixed(1)} s / ${two.toFixed(1)} s)`);
}
