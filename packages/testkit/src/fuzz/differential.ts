import type { LinuxName } from '@coupling-lab/lab';
import fc from 'fast-check';
import { type StrategyRef, strategyName } from '../conformance/strategy-ref.js';
import { stepArbitrary } from './arbitraries.js';
import { formatStep, type Step } from './steps.js';
import { Oracle } from './oracle.js';
import { DifferentialError, World } from './world.js';

/** Sequences per CI run: at least 300 (the issue); a thousand take a few seconds. The env var only raises it. */
export const DEFAULT_FUZZ_RUNS = 1000;

export interface FuzzOptions {
  /** Sequences to run. */
  readonly numRuns: number;
  /** fast-check's seed (default: random); a failure reports the one it used. */
  readonly seed?: number;
  /** With `seed`, replays one counterexample: the `path` (and `replayPath`) a failure reported. */
  readonly path?: string;
  readonly replayPath?: string;
  /** Longest sequence (default 40 steps). */
  readonly maxCommands?: number;
  /** The kernel every lane boots (default v5.17): the fuzzer holds the strategies of one kernel to each other. */
  readonly linux?: LinuxName;
  /**
   * Also check every result against the absolute oracle, Linux v5.17's rules restated in
   * oracle.ts (default: on for v5.17; the oracle knows no v6.6).
   */
  readonly oracle?: boolean;
}

export interface FuzzFailure {
  readonly seed: number;
  readonly path: string;
  readonly replayPath?: string;
  /** The shrunk counterexample: the steps that ran, in order. */
  readonly commands: readonly string[];
  /** What went wrong, at which step. */
  readonly error: string;
}

export interface FuzzReport {
  readonly strategies: readonly string[];
  readonly passed: boolean;
  /** Sequences run: all of them, or up to the first that failed (shrinking not counted). */
  readonly numRuns: number;
  readonly seed: number;
  readonly failure?: FuzzFailure;
  /** With the oracle: how often it checked each answer (`op result`, e.g. `setIommu -ENODEV`), over all sequences. */
  readonly oracleChecks?: ReadonlyMap<string, number>;
  /** One paragraph: the outcome, and on failure the counterexample, the error and how to replay it. */
  readonly message: string;
}

/** The sequences per run CI should do: DEFAULT_FUZZ_RUNS, or COUPLING_LAB_FUZZ_RUNS if that is larger. */
export function fuzzRunsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const requested = Number(env.COUPLING_LAB_FUZZ_RUNS ?? '');
  return Number.isInteger(requested) && requested > DEFAULT_FUZZ_RUNS ? requested : DEFAULT_FUZZ_RUNS;
}

/** The oracle restates v5.17 (the default kernel); on v6.6 only the strategies are compared. */
const oracleByDefault = (linux: LinuxName | undefined): boolean => (linux ?? 'v5.17') === 'v5.17';

/** A fast-check command around one step: the model and the real system are both the World. */
class StepCommand implements fc.Command<World, World> {
  constructor(readonly step: Step) {}
  check(world: Readonly<World>): boolean {
    return world.applicable(this.step);
  }
  run(world: World): void {
    world.apply(this.step);
  }
  toString(): string {
    return formatStep(this.step);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs commands on fresh systems as the fuzzer does: the ones that ran, and the error that stopped them, if any. */
function replay(
  strategies: readonly StrategyRef[],
  commands: Iterable<fc.Command<World, World>>,
  linux: LinuxName | undefined,
  oracleChecks: Map<string, number> | undefined,
): { ran: string[]; error?: string } {
  const ran: string[] = [];
  try {
    const world = new World(
      strategies,
      linux,
      oracleChecks === undefined ? undefined : new Oracle(oracleChecks),
    );
    for (const command of commands) {
      if (!command.check(world)) continue;
      ran.push(command.toString());
      command.run(world, world);
    }
    world.finish();
    return { ran };
  } catch (error) {
    return { ran, error: messageOf(error) };
  }
}

/**
 * Runs a fixed step list on fresh systems, one per strategy, with the fuzzer's checks: returns
 * the steps that ran (a step whose fds do not exist is skipped, as in fuzzing), or throws a
 * DifferentialError saying what differed.
 */
export function runSteps(
  strategies: readonly StrategyRef[],
  steps: readonly Step[],
  linux?: LinuxName,
  options: {
    /** Check the results against the oracle too (default: on for v5.17). */
    readonly oracle?: boolean;
    /** Filled with how often the oracle checked each answer (`op result`). */
    readonly oracleChecks?: Map<string, number>;
  } = {},
): string[] {
  const { ran, error } = replay(
    strategies,
    steps.map((step) => new StepCommand(step)),
    linux,
    (options.oracle ?? oracleByDefault(linux)) ? (options.oracleChecks ?? new Map()) : undefined,
  );
  if (error !== undefined)
    throw new DifferentialError(
      `${error}\nsteps that ran:\n${ran.map((line, i) => `  ${i + 1}. ${line}`).join('\n')}`,
    );
  return ran;
}

/**
 * Differential fuzzing (SPEC 8): random sequences of opens, closes, VFIO and KVM ioctls (valid and
 * not), device adds and deletes, process exits and `rmmod`/`modprobe vfio_pci` run on every
 * strategy side by side, every module loaded. After each step the syscall results,
 * `inspect().vms` and each group's `kvm` must be identical, and no violation may occur; at the
 * end every system must tear down cleanly. Module operations are limited to vfio_pci, the one
 * module whose unload every strategy answers alike: the load/unload matrix of kvm and vfio
 * differs by design (SPEC 8), and once one strategy has unloaded a module the others kept, no
 * later result is comparable.
 */
export function differentialFuzz(strategies: readonly StrategyRef[], options: FuzzOptions): FuzzReport {
  const names = strategies.map(strategyName);
  const oracle = options.oracle ?? oracleByDefault(options.linux);
  const checks = new Map<string, number>();
  const commands = fc.commands([stepArbitrary.map((step) => new StepCommand(step))], {
    maxCommands: options.maxCommands ?? 40,
    // Sequence lengths spread over the whole range: the interesting states need a dozen set-up steps.
    size: 'max',
    ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
  });
  const property = fc.property(commands, (sequence) => {
    const world = new World(strategies, options.linux, oracle ? new Oracle(checks) : undefined);
    fc.modelRun(() => ({ model: world, real: world }), sequence);
    world.finish();
  });
  const details = fc.check(property, {
    numRuns: options.numRuns,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const label = `differential fuzz of ${names.join(', ')} on Linux ${options.linux ?? 'v5.17'}${oracle ? ' with the oracle' : ''}`;
  if (!details.failed || details.counterexample === null) {
    return {
      strategies: names,
      passed: true,
      numRuns: details.numRuns,
      seed: details.seed,
      ...(oracle ? { oracleChecks: checks } : {}),
      message: `${label}: ${details.numRuns} sequences agreed (seed ${details.seed})${oracle ? `, ${[...checks.values()].reduce((a, b) => a + b, 0)} results checked against the oracle` : ''}`,
    };
  }
  const [sequence] = details.counterexample;
  const replayPath = /replayPath="([^"]*)"/.exec(String(sequence))?.[1];
  // Replaying the shrunk sequence gives the steps that actually ran (fast-check lists every generated one).
  const replayed = replay(strategies, sequence, options.linux, oracle ? new Map() : undefined);
  const ran = replayed.ran;
  const error = replayed.error ?? messageOf(details.errorInstance);
  const failure: FuzzFailure = {
    seed: details.seed,
    path: details.counterexamplePath ?? '',
    ...(replayPath === undefined ? {} : { replayPath }),
    commands: ran,
    error,
  };
  const replayHint = `{ numRuns: 1, seed: ${failure.seed}, path: '${failure.path}'${replayPath === undefined ? '' : `, replayPath: '${replayPath}'`}${oracle ? '' : ', oracle: false'} }`;
  const message = [
    `${label} failed after ${details.numRuns} sequence(s), ${details.numShrinks} shrink(s) (seed ${failure.seed}, path '${failure.path}')`,
    'counterexample:',
    ...ran.map((command, i) => `  ${i + 1}. ${command}`),
    `error: ${error}`,
    `replay: differentialFuzz(strategies, ${replayHint})`,
  ].join('\n');
  return { strategies: names, passed: false, numRuns: details.numRuns, seed: details.seed, failure, message };
}
