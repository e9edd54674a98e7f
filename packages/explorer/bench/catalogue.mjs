// The race catalogue's cost: schedules per second per scenario (the real strategies it applies to,
// explored exhaustively over and over for about a second each), then the wall time of one exhaustive
// run of the whole catalogue against the five real strategies and the five variants, with its verdicts.
// SECONDS=3 measures each scenario longer; PREEMPTIONS=8 runs the catalogue with that preemption
// budget instead of the default bound (8 is past every entry's need: the run covers every schedule).
// Build first: npx tsc -b packages/explorer; then: node packages/explorer/bench/catalogue.mjs
import { performance } from 'node:perf_hooks';
import { catalogue, explore, resolveStrategy } from '../dist/index.js';
// Importing a strategy package registers it (and its variants) by name.
import '../../strategy-direct/dist/index.js';
import '../../strategy-symbol-get/dist/index.js';
import '../../strategy-symbol-get-file/dist/index.js';
import '../../strategy-get-ops/dist/index.js';
import '../../strategy-register-ops/dist/index.js';

const real = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'];
const variants = [
  'symbol-get/v5.17-race',
  'symbol-get-file/v5.19-race',
  'get-ops/no-file-ref',
  'register-ops/no-owner',
  'register-ops/unlocked',
];
const SECONDS_PER_SCENARIO = Number(process.env.SECONDS ?? 1);
const catalogueOptions =
  process.env.PREEMPTIONS === undefined
    ? {}
    : { maxPreemptions: Number(process.env.PREEMPTIONS), maxSchedules: 5_000_000 };

const ran = (verdict) => (verdict.verdict === 'skipped' ? 0 : verdict.schedules + verdict.pruned);
const pad = (text, width) => String(text).padEnd(width);
const padLeft = (text, width) => String(text).padStart(width);

function rate(scenario) {
  // Resolved once: a name would be looked up in the container on every call.
  const strategies = real
    .map(resolveStrategy)
    .filter((strategy) => explore(scenario, strategy).verdict !== 'skipped');
  // Warm up the JIT on this scenario before timing it.
  for (let i = 0; i < 3; i++) for (const strategy of strategies) explore(scenario, strategy);
  let schedules = 0;
  let explorations = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS_PER_SCENARIO * 1000) {
    for (const strategy of strategies) {
      schedules += ran(explore(scenario, strategy));
      explorations++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    strategies: strategies.map((strategy) => strategy.name),
    perExploration: Math.round(schedules / explorations),
    perSecond: Math.round(schedules / seconds),
  };
}

console.log(
  `schedules per second (exhaustive explorations against the real strategies, ~${SECONDS_PER_SCENARIO} s each)\n`,
);
console.log(
  `${pad('scenario', 34)}${padLeft('threads', 8)}${padLeft('schedules/run', 15)}${padLeft('schedules/s', 13)}  strategies`,
);
for (const scenario of catalogue) {
  const { strategies, perExploration, perSecond } = rate(scenario);
  console.log(
    `${pad(scenario.name, 34)}${padLeft(scenario.threads.length, 8)}${padLeft(perExploration, 15)}${padLeft(perSecond, 13)}  ${strategies.join(', ')}`,
  );
}

const cell = (verdict) => {
  if (verdict.verdict === 'skipped') return 'skipped';
  if (verdict.verdict === 'clean')
    return `clean (${verdict.schedules}${verdict.exhaustive ? '' : ', NOT exhaustive'})`;
  return `${verdict.kind} "${verdict.schedule}"`;
};
const boundText =
  catalogueOptions.maxPreemptions === undefined
    ? 'default bound'
    : `${catalogueOptions.maxPreemptions} preemptions`;
console.log(`\nthe whole catalogue, exhaustively (${boundText}), against every strategy\n`);
let total = 0;
const start = performance.now();
const rows = [];
for (const scenario of catalogue) {
  for (const strategy of [...real, ...variants]) {
    const begin = performance.now();
    const verdict = explore(scenario, strategy, catalogueOptions);
    total += ran(verdict);
    rows.push([scenario.name, strategy, cell(verdict), `${Math.round(performance.now() - begin)} ms`]);
  }
}
const seconds = (performance.now() - start) / 1000;
for (const [scenario, strategy, verdict, time] of rows) {
  console.log(`${pad(scenario, 34)}${pad(strategy, 28)}${pad(verdict, 46)}${padLeft(time, 8)}`);
}
console.log(
  `\n${catalogue.length} scenarios x ${real.length + variants.length} strategies: ${total} schedules in ${seconds.toFixed(2)} s ` +
    `(${Math.round(total / seconds)} schedules/s overall, one thread)`,
);
