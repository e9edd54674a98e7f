// `pnpm mutation <package>...`: runs StrykerJS (stryker.config.mjs) on each named workspace package
// in turn, e.g. `pnpm mutation kernel kvm`. Not part of `pnpm test` or CI: a run takes minutes.
// Options starting with `--` go to StrykerJS itself, e.g. `pnpm mutation kvm --concurrency 1` to
// leave a core free on a shared machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// The workspace's own StrykerJS (a pinned devDependency), whether run through pnpm or plain node.
const stryker = join(root, 'node_modules', '.bin', 'stryker');

const isPackage = (word) => existsSync(join(root, 'packages', word, 'src'));
const args = process.argv.slice(2);
const strykerOptions = [];
const packages = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i].startsWith('--')) {
    strykerOptions.push(args[i]);
    // `--option value`: the next word is the option's value unless it names a package.
    const next = args[i + 1];
    const isValue = next !== undefined && !next.startsWith('--') && !isPackage(next);
    if (!args[i].includes('=') && isValue) strykerOptions.push(args[(i += 1)]);
  } else packages.push(args[i]);
}
if (packages.length === 0) {
  console.error('usage: pnpm mutation <package>... (a directory under packages/, e.g. kernel)');
  process.exit(2);
}
for (const pkg of packages) {
  console.log(`mutation testing packages/${pkg}`);
  const run = spawnSync(stryker, ['run', 'stryker.config.mjs', ...strykerOptions], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATE_PACKAGE: pkg },
  });
  if (run.error !== undefined) {
    console.error(`cannot run ${stryker}: ${run.error.message} (run pnpm install first)`);
    process.exit(1);
  }
  if (run.status !== 0) process.exit(run.status ?? 1);
}
