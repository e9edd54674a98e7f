// `pnpm mutation <package>...`: runs StrykerJS (stryker.config.mjs) on each named workspace package
// in turn, e.g. `pnpm mutation kernel kvm`. Not part of `pnpm test` or CI: a run takes minutes.
import { spawnSync } from 'node:child_process';

const packages = process.argv.slice(2);
if (packages.length === 0) {
  console.error('usage: pnpm mutation <package>... (a directory under packages/, e.g. kernel)');
  process.exit(2);
}
for (const pkg of packages) {
  console.log(`mutation testing packages/${pkg}`);
  const run = spawnSync('stryker', ['run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE_PACKAGE: pkg },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
