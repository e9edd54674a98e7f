// `pnpm mutation <package>...`: runs StrykerJS (stryker.config.mjs) on each named workspace package
// in turn, e.g. `pnpm mutation kernel kvm`. Not part of `pnpm test` or CI: a run takes minutes.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// The workspace's own StrykerJS (a pinned devDependency), whether run through pnpm or plain node.
const stryker = join(root, 'node_modules', '.bin', 'stryker');

const packages = process.argv.slice(2);
if (packages.length === 0) {
  console.error('usage: pnpm mutation <package>... (a directory under packages/, e.g. kernel)');
  process.exit(2);
}
for (const pkg of packages) {
  console.log(`mutation testing packages/${pkg}`);
  const run = spawnSync(stryker, ['run', 'stryker.config.mjs'], {
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
