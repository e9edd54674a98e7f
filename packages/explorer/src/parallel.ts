import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { DEFAULT_LINUX } from '@coupling-lab/lab';
import {
  exploreInUnits,
  inThisThread,
  splitInThisThread,
  type UnitRunner,
  type UnitSplitter,
} from './core/explore-units.js';
import { batches, type UnitResult, type WorkUnit } from './core/units.js';
import { scenarioNamed } from './catalogue/index.js';
import {
  skipReason,
  type LabExploreOptions,
  type ScenarioRef,
  type ScenarioVerdict,
} from './explore-strategy.js';
import { labCore, labTarget, splitTarget } from './lab-target.js';
import { resolveStrategy, type StrategyRef } from './strategy-ref.js';
import { HeaviestFirst, weighted } from './pool/queue.js';
import { targetKey, type SplitTask, type TargetTask, type UnitTask } from './pool/task.js';

export interface ParallelOptions extends LabExploreOptions {
  /** Worker threads (default: the machine's cores); 1 runs the units in this thread. */
  readonly workers?: number;
  /** Modules the workers import first so that the strategy's name is registered there (strategy packages, plugins). */
  readonly imports?: readonly string[];
  /** A pool to share between explorations (see explorerPool); otherwise one is made and destroyed. */
  readonly pool?: Piscina;
}

/** The worker script: the compiled one next to this file (tests run the sources, so they use dist's). */
function workerFile(): string {
  const compiled = __filename.endsWith('.ts')
    ? path.join(__dirname, '..', 'dist', 'pool', 'worker.js')
    : path.join(__dirname, 'pool', 'worker.js');
  return compiled;
}

/**
 * A piscina pool of `workers` threads running explorer work units, the largest exploration's
 * first (HeaviestFirst). One task per worker at a time: a task is synchronous, so a second one
 * handed over early would only hold back the first one's result until both are done. Destroy it
 * when done.
 */
export function explorerPool(workers: number = availableParallelism()): Piscina {
  return new Piscina({
    filename: workerFile(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
    taskQueue: new HeaviestFirst(),
  });
}

/**
 * `explore` with the exhaustive phase split into work units run on a worker pool (piscina): the
 * same verdict, minimal schedule and lock-order chain for any number of workers (merged in unit
 * order, units.ts). The scenario must be a catalogue entry and the strategy registered by name in
 * the workers (through `imports`).
 */
export async function exploreParallel(
  scenario: ScenarioRef,
  strategy: StrategyRef,
  options: ParallelOptions = {},
): Promise<ScenarioVerdict> {
  const entry = typeof scenario === 'string' ? scenarioNamed(scenario) : scenario;
  const resolved = resolveStrategy(strategy);
  const linux = options.linux ?? DEFAULT_LINUX;
  const reason = skipReason(entry, resolved, linux);
  if (reason !== undefined) return { verdict: 'skipped', reason };
  const core = labCore(entry);
  const target = labTarget(entry, resolved, linux);
  const workers = options.workers ?? availableParallelism();
  if (workers < 1 || !Number.isInteger(workers))
    throw new RangeError(`workers must be a whole number >= 1, not ${workers}`);
  if (workers === 1 && options.pool === undefined) {
    const split = splitInThisThread(core, splitTarget(entry, resolved, linux));
    return exploreInUnits(core, target, options, inThisThread(core, target), split);
  }
  const pool = options.pool ?? explorerPool(workers);
  const named: TargetTask = {
    scenario: entry.name,
    strategy: resolved.name,
    linux,
    imports: options.imports ?? [],
  };
  const key = targetKey(named);
  // The split runs on the pool too, first of all (no unit exists before its split): this thread
  // then runs no model code but to rebuild a violation, and hands out work from the start.
  const split: UnitSplitter = (request) => {
    const task: SplitTask = { ...named, split: request };
    return pool.run(weighted(task, Number.POSITIVE_INFINITY, key)) as Promise<WorkUnit[]>;
  };
  const run: UnitRunner = async (units) => {
    const results = await Promise.all(
      batches(units).map((batch) => {
        const task: UnitTask = { ...named, units: batch };
        return pool.run(weighted(task, units.length, key)) as Promise<UnitResult[]>;
      }),
    );
    return results.flat();
  };
  try {
    return await exploreInUnits(core, target, options, run, split);
  } finally {
    if (options.pool === undefined) await pool.destroy();
  }
}
