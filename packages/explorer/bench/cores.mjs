// How much two threads of this machine get done against one, on the explorer's own work and on
// plain arithmetic: the ceiling for any speed-up of `--workers 2` here. Each thread (a
// worker_thread, fresh for each measurement) warms up, then explores add-vs-del against direct a
// fixed number of times (or runs a fixed arithmetic loop); the figure is the wall time of one
// thread alone against two at once, each doing the same fixed work. Two vCPUs that are two
// hyperthreads of one host core, or that share one memory path, show a ceiling well under 2x.
// Build first: npx tsc -b packages; then: node packages/explorer/bench/cores.mjs [rounds]
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const EXPLORATIONS = 6000;
const ARITHMETIC = 400_000_000;

async function work(kind) {
  if (kind === 'arithmetic') {
    const loop = (n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x = (x * 31 + i) | 0;
      return x;
    };
    loop(ARITHMETIC / 20);
    const start = performance.now();
    loop(ARITHMETIC);
    return performance.now() - start;
  }
  await import('@coupling-lab/strategy-direct');
  const explorer = await import('../dist/index.js');
  const strategy = explorer.resolveStrategy('direct');
  for (let i = 0; i < EXPLORATIONS / 10; i++) explorer.explore('add-vs-del', strategy);
  const start = performance.now();
  for (let i = 0; i < EXPLORATIONS; i++) explorer.explore('add-vs-del', strategy);
  return performance.now() - start;
}

if (!isMainThread) {
  parentPort.postMessage(await work(workerData));
} else {
  const run = (kind) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: kind });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const rounds = Number(process.argv[2] ?? 3);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const kind of ['explorer', 'arithmetic']) {
    const ratios = [];
    for (let round = 0; round < rounds; round++) {
      const alone = await run(kind);
      // Each thread times its own work after its warm-up, so start-up is left out on both sides.
      const pair = await Promise.all([run(kind), run(kind)]);
      const ratio = (2 * alone) / Math.max(...pair);
      ratios.push(ratio);
      console.log(
        `${kind}: one thread ${alone.toFixed(0)} ms; two at once ${pair.map((ms) => ms.toFixed(0)).join(' and ')} ms: ${ratio.toFixed(2)}x the throughput`,
      );
    }
    console.log(`${kind}: two threads give ${median(ratios).toFixed(2)}x one thread's throughput (median)\n`);
  }
}
