// Times direct GROUP_ADD in this checkout against another build of coupling-lab, side by side in
// one run: fresh processes, builds alternated round by round, each process measuring one build.
// Two conditions per build:
//   alone:  direct is the only strategy that ran in the process (what `coupling-lab bench` does
//           now: one subject per process);
//   shared: the five strategies' GROUP_ADD/GROUP_DEL ran first in the same process, so the shared
//           kernel and kvm-vfio code has seen five ports (what the bench did before: every subject
//           in one process).
// Two figures per process: GROUP_ADD alone, wall clock, a clock pair around each ioctl (GROUP_DEL,
// untimed, undoes it) and the median cost of an empty clock pair subtracted; and GROUP_ADD +
// GROUP_DEL back to back in CPU time per ioctl, which other load on the machine disturbs less.
// Speed-ups are medians of per-round ratios (each round runs both builds back to back).
// Build the other checkout first, e.g. main before this change:
//   git worktree add --detach /tmp/old-main main && (cd /tmp/old-main && npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y pnpm@10.34.9 build)
//   node packages/kernel/bench/hot-path-against-build.mjs /tmp/old-main [rounds]
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const [other, roundsText = '7', condition] = process.argv.slice(2);
const strategies = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'];

async function measure(root, shared) {
  const lab = await import(pathToFileURL(`${root}/packages/lab/dist/index.js`).href);
  for (const name of strategies)
    await import(pathToFileURL(`${root}/packages/strategy-${name}/dist/index.js`).href);
  const { KVM } = lab;
  const subject = (strategy) => {
    const sys = lab.boot({ strategy });
    const fixture = lab.qemuFixture(sys);
    const group = lab.groupFd(fixture, 27);
    return {
      qemu: fixture.qemu,
      device: fixture.device,
      add: lab.groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_ADD, group),
      del: lab.groupAttr(fixture.qemu, KVM.DEV_VFIO_GROUP_DEL, group),
    };
  };
  const now = performance.now.bind(performance);
  const timeAdd = (s, n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t0 = now();
      s.qemu.ioctl(s.device, KVM.SET_DEVICE_ATTR, s.add);
      const t1 = now();
      s.qemu.ioctl(s.device, KVM.SET_DEVICE_ATTR, s.del);
      total += t1 - t0;
    }
    return (total * 1e6) / n;
  };
  const clockPair = (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t0 = now();
      const t1 = now();
      total += t1 - t0;
    }
    return (total * 1e6) / n;
  };
  if (shared) for (const name of strategies) timeAdd(subject(name), 20_000);
  const direct = subject('direct');
  timeAdd(direct, 50_000);
  clockPair(50_000);
  const samples = [];
  for (let k = 0; k < 15; k++) samples.push(timeAdd(direct, 20_000) - clockPair(20_000));
  const pairs = 100_000;
  const start = process.cpuUsage();
  for (let i = 0; i < pairs; i++) {
    direct.qemu.ioctl(direct.device, KVM.SET_DEVICE_ATTR, direct.add);
    direct.qemu.ioctl(direct.device, KVM.SET_DEVICE_ATTR, direct.del);
  }
  const used = process.cpuUsage(start);
  return [median(samples), ((used.user + used.system) * 1e3) / pairs / 2];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

if (condition !== undefined) {
  console.log(JSON.stringify(await measure(other, condition === 'shared')));
} else {
  if (other === undefined)
    throw new Error('usage: node hot-path-against-build.mjs <other-checkout> [rounds]');
  const run = (root, cond) =>
    JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), root, '0', cond]).toString());
  const cells = {};
  for (let round = 0; round < Number(roundsText); round++) {
    // Alternate which build goes first, so neither always meets a cold or a warm machine.
    const order =
      round % 2 === 0
        ? [
            ['other', other],
            ['this', here],
          ]
        : [
            ['this', here],
            ['other', other],
          ];
    for (const [who, root] of order)
      for (const cond of ['alone', 'shared']) (cells[`${who} ${cond}`] ??= []).push(run(root, cond));
  }
  const show = (index, title) => {
    console.log(title);
    for (const [name, values] of Object.entries(cells)) {
      const figures = values.map((v) => v[index]);
      console.log(
        `  ${name.padEnd(13)} ${median(figures).toFixed(0).padStart(6)}   [${figures.map((v) => v.toFixed(0)).join(' ')}]`,
      );
    }
    const ratio = (a, b) => median(cells[a].map((v, i) => v[index] / cells[b][i][index]));
    console.log(
      `  speed-up, same condition: alone ${ratio('other alone', 'this alone').toFixed(2)}x, shared ${ratio('other shared', 'this shared').toFixed(2)}x`,
    );
    console.log(
      `  speed-up, the bench then (every subject in one process: other shared) against now (one subject per process: this alone): ${ratio('other shared', 'this alone').toFixed(2)}x`,
    );
  };
  show(
    0,
    `direct GROUP_ADD alone, wall ns per ioctl, clock pair subtracted (median of ${roundsText} processes each)`,
  );
  show(1, `direct GROUP_ADD + GROUP_DEL, CPU ns per ioctl (median of ${roundsText} processes each)`);
}
