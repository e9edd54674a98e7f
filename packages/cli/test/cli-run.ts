import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, Progress, type Interrupts } from '../src/index.js';

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface RunOptions {
  readonly width?: number;
  readonly interrupts?: Interrupts;
  readonly progress?: Progress;
  readonly cwd?: string;
}

/** Runs the command line in this process, capturing stdout and stderr. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (text) => (out += `${text}\n`),
    err: (text) => (err += `${text}\n`),
    progress: options.progress ?? new Progress(process.stderr, true),
    colour: false,
    ...(options.width === undefined ? {} : { width: options.width }),
    ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
    cwd: options.cwd ?? join(__dirname, '..'),
  });
  return { code, out, err };
}

export const fixture = (name: string): string => join(__dirname, 'fixtures', name);

const made: string[] = [];
/** A fresh temporary directory, removed with everything in it after the test file's last test. */
export function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coupling-lab-cli-'));
  made.push(dir);
  return dir;
}
// Jest gives each test file its own copy of this module, so the hook runs once per file that imports it.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The built command (the test command type-checks, and so builds, before jest runs). */
export const builtCli = join(__dirname, '..', 'dist', 'bin.js');

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the built command in a fresh node process; `whileRunning` may act on it (send it a
 * signal, say) once it has started. Fails loudly when the build is missing, never skips.
 */
export function runBuilt(
  args: readonly string[],
  whileRunning?: (child: ReturnType<typeof spawn>) => void,
): Promise<ChildRun> {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`pnpm build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
    whileRunning?.(child);
  });
}
