// Process-to-process variation dominates on a JIT: one process may inline a call another does
// not, and a Map's hash seed differs per process, so two runs can disagree by 10% while the rounds
// inside each agree to 1%. Intervals that must hold from one run to the next therefore need
// several processes: the rounds are split over fresh child processes, run one after the other
// (never concurrently: they would compete for the cores), and bootstrapped two-level.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import {
  resultOf,
  rotate,
  validateOptions,
  type InterleavedOptions,
  type InterleavedResult,
} from './interleaved.js';
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
  only?: string,
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
    const start: StartMessage = { type: 'start', module, options, ...(only === undefined ? {} : { only }) };
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

/**
 * Like runInProcesses, but every subject is measured in processes of its own: code shared by the
 * subjects (the kernel model, kvm-vfio) then only ever sees one of them, as in a real kernel where
 * one coupling is built in, instead of going megamorphic and diluting every difference. Each of
 * `processes` process rounds forks one process per subject (in an order rotated per round); a
 * subject's rounds are paired with the baseline's rounds of the same process round, each process
 * subtracting its own harness floor.
 */
export async function runPerSubject(
  module: SubjectsModule,
  subjects: readonly string[],
  options: ProcessesOptions,
): Promise<InterleavedResult> {
  const { processes, execArgv = process.execArgv, onProgress, ...rest } = options;
  if (!(Number.isInteger(processes) && processes >= 1))
    throw new RangeError(`processes must be a positive integer, got ${processes}`);
  if (options.rounds < processes)
    throw new RangeError(`rounds (${options.rounds}) must be at least processes (${processes})`);
  validateOptions(
    subjects.map((name) => ({ name })),
    options,
  );
  const started = performance.now();
  const shares = splitRounds(options.rounds, processes);
  const children = processes * subjects.length;
  const parts: RawTimings[] = [];
  let child = 0;
  for (const [index, rounds] of shares.entries()) {
    const perSubject = new Map<string, RawTimings>();
    for (const subject of rotate(subjects, index)) {
      const at = child++;
      perSubject.set(
        subject,
        await runChild(
          module,
          { ...rest, rounds, firstRotation: 0 },
          execArgv,
          (event) => {
            const cell = at * event.cells + event.cell;
            onProgress?.({ ...event, cell, cells: children * event.cells, process: index, processes });
          },
          subject,
        ),
      );
    }
    parts.push(combineSubjects(subjects, options.baseline, perSubject));
  }
  return resultOf(mergeRaw(parts), options, processes, performance.now() - started);
}

/** One process round's per-subject runs as one set of rounds, each subject keeping its own harness floor. */
function combineSubjects(
  subjects: readonly string[],
  baseline: string,
  runs: ReadonlyMap<string, RawTimings>,
): RawTimings {
  const base = runs.get(baseline);
  if (base === undefined) throw new Error(`no run of the baseline ${baseline}`);
  const combined: RawTimings = {
    baseline,
    subjects: [...subjects],
    operations: {},
    groups: [...base.groups],
  };
  for (const subject of subjects) {
    const run = runs.get(subject);
    if (run === undefined) throw new Error(`no run of ${subject}`);
    for (const [name, op] of Object.entries(run.operations)) {
      const into =
        combined.operations[name] ??
        (combined.operations[name] = {
          method: op.method,
          floor: base.operations[name]?.floor ?? op.floor,
          series: {},
          subjectFloors: {},
        });
      if (into.method !== op.method)
        throw new RangeError(`${name} measured as ${into.method} and as ${op.method} by different subjects`);
      const values = op.series[subject];
      if (values !== undefined) into.series[subject] = values;
      (into.subjectFloors ??= {})[subject] = op.floor;
      const ops = op.opsPerRun?.[subject];
      if (ops !== undefined) (into.opsPerRun ??= {})[subject] = ops;
    }
  }
  return combined;
}
