// Times this checkout against another build of coupling-lab, each subject in a fresh process,
// rounds interleaved, CPU time (not wall time) so that other load on the machine matters less:
//   direct GROUP_ADD + GROUP_DEL with no explorer attached (ns per ioctl), and
//   the explorer's schedules per second on add-vs-del against direct, and for this checkout also
//   with the setup snapshot off (reuseSetup: false: a fresh boot and setup for every schedule).
// Build both first (npx tsc -b packages), e.g. the commit before a change in a worktree:
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npx -y pnpm@10.34.9 install --frozen-lockfile && npx tsc -b packages)
//   node packages/explorer/bench/against-build.mjs /tmp/before [rounds]
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const [other, roundsText = '9', subject] = process.argv.slice(2);

async function measure(root, what) {
  const lab = await import(pathToFileURL(`${root}/packages/lab/dist/index.js`).href);
  await import(pathToFileURL(`${root}/packages/strategy-direct/dist/index.js`).href);
  if (what === 'group-add') {
    const sys = lab.boot({ strategy: 'direct' });
    const fixture = lab.qemuFixture(sys);
    const group = lab.groupFd(fixture, 27);
    const add = lab.groupAttr(fixture.qemu, lab.KVM.DEV_VFIO_GROUP_ADD, group);
    const del = lab.groupAttr(fixture.qemu, lab.KVM.DEV_VFIO_GROUP_DEL, group);
    const pair = () => {
      fixture.qemu.ioctl(fixture.device, lab.KVM.SET_DEVICE_ATTR, add);
      fixture.qemu.ioctl(fixture.device, lab.KVM.SET_DEVICE_ATTR, del);
    };
    const n = 200_000;
    for (let i = 0; i < n; i++) pair();
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) pair();
    const used = process.cpuUsage(start);
    return ((used.user + used.system) * 1e3) / n / 2;
  }
  const explorer = await import(pathToFileURL(`${root}/packages/explorer/dist/index.js`).href);
  const strategy = explorer.resolveStrategy('direct');
  // Older builds ignore the option.
  const options = what === 'explore-fresh' ? { reuseSetup: false } : {};
  for (let i = 0; i < 200; i++) explorer.explore('add-vs-del', strategy, options);
  let schedules = 0;
  let used = 0;
  const start = process.cpuUsage();
  while (used < 1.5e6) {
    const verdict = explorer.explore('add-vs-del', strategy, options);
    schedules += verdict.schedules + verdict.pruned;
    const now = process.cpuUsage(start);
    used = now.user + now.system;
  }
  return schedules / (used / 1e6);
}

if (subject !== undefined) {
  console.log(await measure(other, subject));
} else {
  if (other === undefined) throw new Error('usage: node against-build.mjs <other-checkout> [rounds]');
  const run = (root, what) =>
    Number(execFileSync(process.execPath, [fileURLToPath(import.meta.url), root, '0', what]).toString());
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [what, unit] of [
    ['group-add', 'ns per ioctl'],
    ['explore', 'schedules/s'],
  ]) {
    const ratios = [];
    const freshRatios = [];
    const lines = [];
    for (let round = 0; round < Number(roundsText); round++) {
      const them = run(other, what);
      const us = run(here, what);
      ratios.push(us / them);
      let line = `  ${them.toFixed(1).padStart(9)} ${us.toFixed(1).padStart(9)}  ${(us / them).toFixed(3)}`;
      if (what === 'explore') {
        const fresh = run(here, 'explore-fresh');
        freshRatios.push(us / fresh);
        line += `  ${fresh.toFixed(1).padStart(9)}  ${(us / fresh).toFixed(3)}`;
      }
      lines.push(line);
    }
    const extra = what === 'explore' ? ', this checkout without the snapshot, ratio this/that' : '';
    console.log(`${what} (${unit}): other, this checkout, ratio${extra}`);
    console.log(lines.join('\n'));
    console.log(`  median ratio this/other: ${median(ratios).toFixed(3)}`);
    if (what === 'explore')
      console.log(`  median ratio snapshot/no snapshot: ${median(freshRatios).toFixed(3)}`);
    console.log('');
  }
}
