// Smoke test of the mitata path under plain node (not jest): times the two small subjects of
// smoke-subjects.mjs and prints the table. Build first: npx tsc -b packages/bench
//   node packages/bench/bench/smoke.mjs [--quick] [--in-process] [--processes N] [--seed N]
// Default: the rounds split over fresh processes (runInProcesses, count from the preset); --in-process: all rounds in
// this one (runInterleaved), whose intervals ignore process-to-process variation.
// The CommonJS build is loaded through its default export (what node gives an ESM importer).
import { join } from 'node:path';
import timing from '../dist/timing/index.js';
import { subjects } from './smoke-subjects.mjs';

const { runInterleaved, runInProcesses, machineInfo, timingPresets } = timing;
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const preset = args.includes('--quick') ? timingPresets.quick : timingPresets.full;
const inProcess = args.includes('--in-process');
const options = {
  ...preset,
  baseline: 'plain',
  seed: option('--seed', 1),
  onProgress: (e) =>
    process.stderr.write(
      `\rprocess ${e.process + 1}/${e.processes} ${e.warmup ? 'warm-up' : 'round'} ${e.round + 1}/${e.rounds}, cell ${e.cell}/${e.cells}   `,
    ),
};
const result = inProcess
  ? await runInterleaved(subjects, options)
  : await runInProcesses(
      { path: join(import.meta.dirname, 'smoke-subjects.mjs') },
      { ...options, processes: option('--processes', preset.processes) },
    );
process.stderr.write('\n');

const m = machineInfo();
const fmt = (v) => v.toFixed(3);
console.log(`${m.cpu} × ${m.cores}, node ${m.node} ${m.platform}-${m.arch}`);
console.log(
  `${result.rounds} rounds in ${result.processes} process(es) (+${result.warmupRounds} warm-up each) × ` +
    `${result.budgetMsPerCell} ms/cell in ${(result.elapsedMs / 1000).toFixed(1)} s`,
);
for (const [op, floor] of Object.entries(result.floors)) {
  console.log(
    `\n${op}: ${floor.method}, harness floor ${floor.nsPerOp.toFixed(2)} ns/op ${floor.subtracted ? '(subtracted)' : '(included)'}`,
  );
  for (const [subject, ops] of Object.entries(result.subjects)) {
    const t = ops[op];
    if (!t) continue;
    console.log(
      `  ${subject.padEnd(6)} ${t.nsPerOp.toFixed(2).padStart(8)} ns/op  IQR ${t.spread.toFixed(2).padStart(6)}  ` +
        `×${fmt(t.ratioToBaseline)} [${t.ci.map(fmt).join(', ')}]`,
    );
  }
}
