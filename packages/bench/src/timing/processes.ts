// Process-to-process variation dominates on a JIT: one process may inline a call another does
// not, and a Map's hash seed differs per process, so two runs can disagree by 10% while the rounds
// inside each agree to 1%. Intervals that must hold from one run to the next therefore need
// several processes: the rounds are split over fresh child processes, run one after the other
// (never concurrently: they would compete for the cores), and bootstrapped two-level.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { resultOf, validateOptions, type InterleavedOptions, type InterleavedResult } from './interleaved.js';
import type { ChildMessage, ChildOptions, StartMessage, SubjectsModule } from './protocol.js';
import { mergeRaw, type RawTimings } from './summarise.js';

export interface ProcessesOptions extends InterleavedOptions {
  /** Child processes; `rounds` (the total) is split between them as evenly as possible. */
  processes: number;
  /** node flags for the children; this process's execArgv by default (e.g. --expose-gc). */
  execArgv?: string[];
}

/** Splits `rounds` over `processes`: 10 over 4 → [3, 3, 2, 2]. */
export function splitRounds(rounds: number, processes: number): number[] {
  return Array.from(
    { length: processes },
    (_, i) => Math.floor(rounds / processes) + (i < rounds % processes ? 1 : 0),
  );
}

function runChild(
  module: SubjectsModule,
  options: ChildOptions,
  execArgv: string[],
  onProgress: (event: Extract<ChildMessage, { type: 'progress' }>['event']) => void,
): Promise<RawTimings> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'child.js'), [], { execArgv });
    let outcome: RawTimings | Error | undefined;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') onProgress(message.event);
      else if (message.type === 'done') outcome = message.raw;
      else outcome = new Error(`measuring process failed: ${message.message}`);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (outcome instanceof Error) reject(outcome);
      else if (outcome) resolve(outcome);
      else reject(new Error(`measuring process exited (${signal ?? code}) without results`));
    });
    const start: StartMessage = { type: 'start', module, options };
    child.send(start);
  });
}

/**
 * runInterleaved, repeated in `processes` fresh child processes that each load `module` and
 * measure their share of the rounds (plus their own warm-up rounds). The result's intervals
 * resample processes, then rounds within them.
 */
export async function runInProcesses(
  module: SubjectsModule,
  options: ProcessesOptions,
): Promise<InterleavedResult> {
  const { processes, execArgv = process.execArgv, onProgress, ...rest } = options;
  if (!(Number.isInteger(processes) && processes >= 1))
    throw new RangeError(`processes must be a positive integer, got ${processes}`);
  if (options.rounds < processes)
    throw new RangeError(`rounds (${options.rounds}) must be at least processes (${processes})`);
  validateOptions([{ name: options.baseline }], options);
  const started = performance.now();
  const shares = splitRounds(options.rounds, processes);
  const warmup = options.warmupRounds ?? 1;
  const totalRounds = shares.reduce((sum, n) => sum + n + warmup, 0);
  const parts: RawTimings[] = [];
  let roundsBefore = 0;
  for (const [index, rounds] of shares.entries()) {
    // Each process starts its rotation where the previous one stopped.
    const childOptions: ChildOptions = {
      ...rest,
      rounds,
      firstRotation: (options.firstRotation ?? 0) + roundsBefore,
    };
    const before = roundsBefore;
    parts.push(
      await runChild(module, childOptions, execArgv, (event) => {
        const perRound = event.cells / (rounds + warmup);
        const cell = before * perRound + event.cell;
        onProgress?.({ ...event, cell, cells: totalRounds * perRound, process: index, processes });
      }),
    );
    roundsBefore += rounds + warmup;
  }
  return resultOf(mergeRaw(parts), options, processes, performance.now() - started);
}
