import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runBuilt, tmp } from './cli-run.js';

/** Sends `signal` once the run has made its --out directory, and reports how it ended. */
async function interrupt(
  signal: NodeJS.Signals,
): Promise<{ code: number | null; err: string; out: string; made: boolean }> {
  const parent = tmp();
  const out = join(parent, 'new', 'run');
  let made = false;
  // With timings the run lasts many seconds: long enough to be interrupted mid-way.
  const result = await runBuilt(['compare', '--quick', '--strategy', 'direct', '--out', out], (child) => {
    const poll = setInterval(() => {
      if (!existsSync(out)) return;
      made = true;
      clearInterval(poll);
      child.kill(signal);
    }, 20);
    child.on('close', () => clearInterval(poll));
  });
  return { code: result.code, err: result.err, out: parent, made };
}

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)(
  '%s mid-run removes the directory the run made and exits %i',
  async (signal, code) => {
    const result = await interrupt(signal);
    expect(result.made).toBe(true);
    expect(result.code).toBe(code);
    expect(result.err).toContain(`coupling-lab: interrupted by ${signal}; removed what this run had created`);
    expect(existsSync(join(result.out, 'new'))).toBe(false);
  },
  60_000,
);
