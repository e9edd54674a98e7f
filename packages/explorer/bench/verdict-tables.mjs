// The verdict tables of README.md ("Verdicts" and "On Linux v6.6"), from an actual run: every
// catalogue scenario x the five real strategies and the five variants on v5.17 and on v6.6, and
// the history's variants on the v6.6 history scenarios, with explore()'s defaults (DEFAULT_BOUND,
// the reduction on, one thread). A clean cell is its schedule count (run to the end, pruned ones
// not counted), a violation its kind and reported schedule. Scenarios skipped in every column
// share one row. Prints Markdown; paste it over the tables and run prettier on the README.
// Build first: npx -y pnpm@10.34.9 build; then: node packages/explorer/bench/verdict-tables.mjs
import { performance } from 'node:perf_hooks';
import { catalogue, DEFAULT_BOUND, explore } from '../dist/index.js';
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
// The history's variants on v6.6 (src/history/rows.ts), by the scenario they are shown on.
const history = {
  'vm-close-vs-device-close': ['v6.1', 'v6.2', 'vfio-ap', 'v6.2-vfio-ap'],
  'device-open-vs-vm-close': ['v6.1', 'v6.2', 'vfio-ap', 'v6.2-vfio-ap'],
  'rmmod-kvm-vs-vfio-put': ['put-helpers', 'kvm-module-ref', 'v6.1', 'v6.2-vfio-ap'],
};

const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
let explorations = 0;
let notExhaustive = 0;

function cell(scenario, strategy, linux) {
  const verdict = explore(scenario, strategy, { linux });
  if (verdict.verdict === 'skipped') return 'skipped';
  explorations++;
  if (verdict.verdict === 'violation') return `${verdict.kind} \`${verdict.schedule}\``;
  if (!verdict.exhaustive) notExhaustive++;
  return `clean ${grouped(verdict.schedules)}${verdict.exhaustive ? '' : ' (not exhaustive)'}`;
}

function table(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((text, i) => text.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

/** One row per scenario; the ones skipped in every column become one row naming them. */
function scenarioTable(strategies, linux) {
  const rows = [];
  const skipped = [];
  for (const scenario of catalogue) {
    const cells = strategies.map((strategy) => cell(scenario, strategy, linux));
    if (cells.every((text) => text === 'skipped')) skipped.push(`\`${scenario.name}\``);
    else rows.push([`\`${scenario.name}\``, ...cells]);
  }
  if (skipped.length > 0) rows.push([skipped.join(', '), ...strategies.map(() => 'skipped')]);
  return table(['scenario', ...strategies], rows);
}

const start = performance.now();
const bound = `depth ${DEFAULT_BOUND.maxDepth}, ${DEFAULT_BOUND.maxPreemptions} preemptions`;
console.log(`v5.17, real strategies (${bound}):\n`);
console.log(scenarioTable(real, 'v5.17'));
console.log(`\nv5.17, variants:\n`);
console.log(scenarioTable(variants, 'v5.17'));
const onV66 = real.filter((strategy) => strategy !== 'symbol-get');
const variantsV66 = variants.filter((strategy) => !strategy.startsWith('symbol-get/'));
console.log(`\nv6.6, real strategies:\n`);
console.log(scenarioTable(onV66, 'v6.6'));
console.log(`\nv6.6, variants:\n`);
console.log(scenarioTable(variantsV66, 'v6.6'));
console.log(`\nv6.6, the history scenarios (the real strategies, then the history's variants):\n`);
const historyRows = Object.entries(history).map(([name, shapes]) => {
  const scenario = catalogue.find((entry) => entry.name === name);
  const shown = shapes.map((shape) => `${shape} ${cell(scenario, `symbol-get-file/${shape}`, 'v6.6')}`);
  return [`\`${name}\``, ...onV66.map((strategy) => cell(scenario, strategy, 'v6.6')), shown.join('; ')];
});
console.log(table(['scenario', ...onV66, 'history variants'], historyRows));
const seconds = ((performance.now() - start) / 1000).toFixed(1);
console.log(`\n${explorations} explorations in ${seconds} s; not exhaustive: ${notExhaustive}`);
