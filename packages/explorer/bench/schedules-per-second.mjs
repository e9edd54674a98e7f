// Schedules per second of the explorer on a kernel-only toy: two threads of two syscalls each
// (symbol_get/call/symbol_put twice against rmmod + insmod of the provider), explored exhaustively
// with the default bound, over and over for about two seconds.
// Then the same on the catalogue's add-vs-del against direct (a lab target: each schedule starts
// from the setup snapshot, lab-target.ts); SNAPSHOT=0 boots and sets up afresh for every schedule
// instead (one mode per process: mixing both in one process makes the shared code megamorphic).
// Build first: npx tsc -b packages; then: node packages/explorer/bench/schedules-per-second.mjs
import { performance } from 'node:perf_hooks';
import { Kernel } from '@coupling-lab/kernel';
import { explore } from '../dist/core/index.js';
import { explore as exploreScenario, resolveStrategy } from '../dist/index.js';
import '../../strategy-direct/dist/index.js';

const provider = {
  name: 'provider',
  description: 'exports provider_fn (EXPORT_SYMBOL_GPL)',
  imports: [],
  exports: { provider_fn: { gpl: true } },
  load: () => ({ symbols: { provider_fn: () => 42 }, exit: () => {} }),
};

const target = {
  boot(lockdep) {
    const kernel = new Kernel({ lockdep });
    kernel.registerImage(provider);
    kernel.insmod('provider');
    return { kernel, world: kernel };
  },
};

const callThenPut = {
  label: 'symbol_get(provider_fn); call; symbol_put',
  run: (kernel) => {
    const fn = kernel.symbolGet('provider_fn');
    if (fn === null) return -2;
    const result = fn();
    kernel.symbolPut('provider_fn');
    return result;
  },
};

const scenario = {
  name: 'bench-toy',
  description: 'two callers of provider_fn against rmmod and insmod of provider',
  invariant: 'no violation',
  threads: [
    [callThenPut, callThenPut],
    [
      { label: 'delete_module(provider)', run: (kernel) => kernel.deleteModule('provider') },
      { label: 'insmod(provider)', run: (kernel) => kernel.insmod('provider') },
    ],
  ],
  teardown(kernel) {
    if (kernel.findModule('provider') !== undefined) kernel.deleteModule('provider');
    kernel.checkLeaks();
  },
};

const once = explore(scenario, target);
if (once.verdict !== 'clean') throw new Error(`bench toy is not clean: ${once.message} (${once.schedule})`);
const perExploration = once.schedules + once.pruned;

for (let i = 0; i < 50; i++) explore(scenario, target);
let explorations = 0;
const start = performance.now();
while (performance.now() - start < 2000) {
  explore(scenario, target);
  explorations++;
}
const seconds = (performance.now() - start) / 1000;
const rate = Math.round((explorations * perExploration) / seconds);
console.log(
  `${scenario.name}: ${perExploration} schedules per exploration (${once.schedules} run, ${once.pruned} pruned)`,
);
console.log(`${rate} schedules/s (${explorations} explorations in ${seconds.toFixed(2)} s)`);

const snapshot = process.env.SNAPSHOT !== '0';
const lab = { reuseSetup: snapshot };
const direct = resolveStrategy('direct');
const first = exploreScenario('add-vs-del', direct, lab);
const perLab = first.schedules + first.pruned;
for (let i = 0; i < 200; i++) exploreScenario('add-vs-del', direct, lab);
let labExplorations = 0;
const labStart = performance.now();
while (performance.now() - labStart < 2000) {
  exploreScenario('add-vs-del', direct, lab);
  labExplorations++;
}
const labSeconds = (performance.now() - labStart) / 1000;
console.log(
  `add-vs-del x direct (${snapshot ? 'setup snapshot' : 'fresh boot and setup per schedule'}): ` +
    `${Math.round((labExplorations * perLab) / labSeconds)} schedules/s (${perLab} per exploration)`,
);
