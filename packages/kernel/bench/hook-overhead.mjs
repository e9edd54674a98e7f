// Micro-benchmark: what the preemption hook costs on the symbol_get/symbol_put hot path.
//
//   npx tsc -b packages/kernel && node packages/kernel/bench/hook-overhead.mjs [opsPerRound] [rounds]
//
// Three variants run in interleaved rounds (base, detached, attached, then rotated) in
// one process, so that drift in clock speed or load hits all of them alike:
//   base      a Kernel whose preempt() is empty: no hook check at all (the floor);
//   detached  the real Kernel with no hook attached (kernel.hook === undefined);
//   attached  the real Kernel with a no-op hook (kernel.hook = () => {}).
// One op is symbolGet + symbolPut, which passes three preemption points (symbol-lookup,
// module-get, module-put). Reports the median ns/op of each variant and the overheads, both as
// the ratio of medians and as the median of the per-round ratios.
import os from 'node:os';
import { Kernel } from '../dist/index.js';

const opsPerRound = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 21);

class NoPreemptKernel extends Kernel {
  preempt() {}
}

function bootWithLib(kernel) {
  kernel.registerImage({
    name: 'lib',
    description: 'bench library',
    imports: [],
    exports: { lib_fn: { gpl: true } },
    load: () => ({ symbols: { lib_fn: () => 0 } }),
  });
  if (kernel.insmod('lib') !== 0) throw new Error('insmod lib failed');
  return kernel;
}

const kernels = {
  base: bootWithLib(new NoPreemptKernel()),
  detached: bootWithLib(new Kernel()),
  attached: bootWithLib(new Kernel()),
};
kernels.attached.hook = () => {};

let sink = 0;

function round(kernel) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < opsPerRound; i++) {
    if (kernel.symbolGet('lib_fn') !== null) sink += 1;
    kernel.symbolPut('lib_fn');
  }
  return Number(process.hrtime.bigint() - start) / opsPerRound;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const names = Object.keys(kernels);
for (const name of names) round(kernels[name]);

const samples = Object.fromEntries(names.map((name) => [name, []]));
for (let r = 0; r < rounds; r++) {
  // Rotate which variant goes first, so none always runs right after the same neighbour.
  for (let k = 0; k < names.length; k++) {
    const name = names[(r + k) % names.length];
    samples[name].push(round(kernels[name]));
  }
}

if (sink !== opsPerRound * (rounds + 1) * names.length)
  throw new Error('symbolGet failed during the benchmark');
for (const kernel of Object.values(kernels)) {
  if (kernel.findModule('lib').refcount !== 0) throw new Error('a reference leaked during the benchmark');
}

const med = Object.fromEntries(names.map((name) => [name, median(samples[name])]));
// Each round runs the three variants back to back under the same conditions, so the ratio within
// a round is steadier than the ratio of medians on a machine whose speed drifts; report both.
const pairedPct = (variant, reference) =>
  ((median(samples[variant].map((value, r) => value / samples[reference][r])) - 1) * 100).toFixed(1);
const pct = (variant, reference) => ((med[variant] / med[reference] - 1) * 100).toFixed(1);
const perPoint = (variant, reference) => ((med[variant] - med[reference]) / 3).toFixed(2);
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

console.log(`machine: ${cpu} (${os.cpus().length} CPUs), node ${process.version}`);
console.log(
  `${rounds} interleaved rounds of ${opsPerRound} ops (one op = symbolGet + symbolPut, 3 preemption points)`,
);
for (const name of names) {
  const values = samples[name];
  console.log(
    `${name.padEnd(9)} median ${med[name].toFixed(2)} ns/op  (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`,
  );
}
console.log(
  `no hook attached vs no hook check: ${pct('detached', 'base')}% of medians, ${pairedPct('detached', 'base')}% median per round, ${perPoint('detached', 'base')} ns per preemption point`,
);
console.log(
  `no-op hook attached vs no hook attached: ${pct('attached', 'detached')}% of medians, ${pairedPct('attached', 'detached')}% median per round, ${perPoint('attached', 'detached')} ns per preemption point`,
);
