// The report's end-to-end test drives Debian's Chromium through playwright-core. These machines
// run as root and reach Debian's archive, so the test command installs it when it is missing and
// says so; anywhere else it only explains what the skipped test needs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromium)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (process.platform !== 'linux' || !isRoot || !existsSync('/usr/bin/apt-get')) {
  console.warn(
    `ensure-chromium: ${chromium} not found and apt-get is not usable here; the report e2e test will be skipped.`,
  );
  process.exit(0);
}
console.log(
  `ensure-chromium: ${chromium} is missing; installing Debian's chromium with apt-get (one time)...`,
);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
  stdio: 'inherit',
  env,
});
console.log('ensure-chromium: installed.');
