import { DEFAULT_LINUX, linuxNames } from '@coupling-lab/lab';
import { Command, CommanderError, Option } from 'commander';
import { version } from './build-report.js';
import { measure, readBaseline, renderBench, saveBaseline } from './commands/bench.js';
import { compareCommand } from './commands/compare.js';
import { exploreCommand } from './commands/explore.js';
import { graphCommand } from './commands/graph.js';
import { historyCommand } from './commands/history.js';
import { listCommand } from './commands/list.js';
import type { Interrupts } from './interrupts.js';
import { loadPlugins } from './plugins.js';
import { builtinStrategyModules } from './registration.js';
import { Progress } from './progress.js';
import { selectKernels, splitByKernel } from './kernels.js';
import { selectStrategies } from './strategies.js';
import { CliError, UsageError } from './usage-error.js';

/** Where the program writes; tests pass their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly progress: Progress;
  readonly colour: boolean;
  /** The width to fit output into (COLUMNS, or the terminal's); unknown for a pipe. */
  readonly width?: number;
  /** SIGINT/SIGTERM: compare removes what it created. */
  readonly interrupts?: Interrupts;
  /** Where relative paths (--out, --plugin) are taken from; the process's cwd by default. */
  readonly cwd?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** --workers: a whole number of threads, at least 1. */
function workerCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`--workers must be a whole number of threads, at least 1, not "${value}"`);
  }
  return count;
}

const exitCodes = `
Exit codes:
  0  success
  1  a real strategy fails conformance, has a race or crashed (after the reports are written);
     --out cannot be written; a plugin fails to load or to check
  2  a usage error: an unknown command, option, strategy, scenario or format, a bad --replay
     schedule, an empty or non-empty --out (without --force)`;

const linuxOption = (): Option =>
  new Option('--linux <version>', `the kernel to model: ${linuxNames.join(', ')} or all`).default(
    DEFAULT_LINUX,
  );

const strategyOption = (): Option =>
  new Option(
    '--strategy <names>',
    'comma-separated strategies; may repeat, a name given twice counts once (default: every real strategy)',
  )
    .argParser(collect)
    .default([]);

/**
 * Runs the `coupling-lab` command line; resolves to the exit code: 0, 1 (a conformance failure,
 * a race in a real strategy, a crash, or a failure such as an unwritable --out), 2 (a usage error).
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const width = io.width === undefined ? {} : { width: io.width };
  const program = new Command('coupling-lab')
    .description('How should two independently loadable modules call each other? KVM and VFIO, compared.')
    .version(`coupling-lab ${version}`, '-V, --version', 'print the version')
    .option('--plugin <module>', 'load a strategy plugin (a path or a package name); may repeat', collect, [])
    .addHelpText('after', exitCodes)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: () => undefined });
  if (io.width !== undefined) program.configureHelp({ helpWidth: io.width });
  const plugins = (): string[] =>
    loadPlugins(program.opts<{ plugin: string[] }>().plugin, io.cwd).map((plugin) => plugin.path);

  program
    .command('compare')
    .description(
      'conformance, coupling metrics, the race catalogue (with the variants) and benchmarks, side by side; writes report.md/json/html',
    )
    .addOption(strategyOption())
    .addOption(linuxOption())
    .option('--quick', 'a fast run (seconds, not minutes)')
    .option(
      '--out <dir>',
      'where to write the reports: a new or empty directory (default: reports/<timestamp>)',
    )
    .option('--force', 'write into an --out directory that already has files (replacing report.*)')
    .option('--json', 'print report.json on stdout instead of the table')
    .option('--no-bench', 'skip the timed benchmarks')
    .action(
      async (options: {
        strategy: string[];
        linux: string;
        quick?: boolean;
        out?: string;
        force?: boolean;
        json?: boolean;
        bench: boolean;
      }) => {
        const outcome = await compareCommand({
          ...options,
          plugins: plugins(),
          progress: io.progress,
          colour: io.colour,
          command: ['coupling-lab', ...argv],
          ...width,
          ...(io.interrupts === undefined ? {} : { interrupts: io.interrupts }),
          ...(io.cwd === undefined ? {} : { cwd: io.cwd }),
        });
        io.out(outcome.output);
        for (const note of outcome.notes) io.err(note);
        exitCode = outcome.exitCode;
      },
    );

  program
    .command('list')
    .description('the installed strategies')
    .option('--all', 'include the race-catalogue variants')
    .action((options: { all?: boolean }) => {
      plugins();
      io.out(listCommand({ ...options, ...width }));
    });

  program
    .command('bench')
    .description('time every strategy: ns/op and ratio to direct with 95% intervals, and counted costs')
    .addOption(strategyOption())
    .addOption(
      new Option('--linux <version>', `the kernel to model: ${linuxNames.join(', ')}`).default(DEFAULT_LINUX),
    )
    .option('--quick', 'a fast run (seconds, not minutes)')
    .option('--json', 'print the results as JSON')
    .option('--save-baseline <file>', 'save the results as JSON, to compare a later run with --baseline')
    .option('--baseline <file>', 'compare with a run saved by --save-baseline')
    .action(
      async (options: {
        strategy: string[];
        linux: string;
        quick?: boolean;
        json?: boolean;
        saveBaseline?: string;
        baseline?: string;
      }) => {
        const loaded = plugins();
        const baseline = options.baseline === undefined ? undefined : readBaseline(options.baseline);
        const [linux = DEFAULT_LINUX, ...more] = selectKernels(options.linux);
        if (more.length > 0) throw new UsageError('bench times one kernel at a time: --linux v5.17 or v6.6');
        const { runs: strategies, notOnKernel } = splitByKernel(
          selectStrategies(options.strategy, { variants: false }),
          linux,
        );
        for (const entry of notOnKernel) io.err(`${entry.name} is not on ${linux}: ${entry.reason}`);
        const result = await measure({
          strategies,
          linux,
          quick: options.quick === true,
          plugins: loaded,
          progress: io.progress,
        });
        if (options.saveBaseline !== undefined) saveBaseline(options.saveBaseline, result);
        io.out(
          options.json
            ? JSON.stringify(result, null, 2)
            : renderBench(result, strategies, io.width, baseline),
        );
      },
    );

  program
    .command('explore')
    .description(
      'run the race catalogue (or one scenario) against strategies, or replay a schedule; each violation is printed as a KASAN/lockdep-style report',
    )
    .argument('[scenario]', 'a catalogue scenario (default: all)')
    .addOption(strategyOption())
    .addOption(linuxOption())
    .option('--variants', 'run the race-catalogue variants instead of the real strategies')
    .option('--replay <schedule>', 'replay one schedule string (needs a scenario and one --strategy)')
    .option('--json', 'print { results: [...] } as JSON, each violation with its report')
    .option(
      '--no-por',
      'plain depth-first search, every schedule within the bound (in one thread), to check the reduction',
    )
    .option(
      '--workers <n>',
      "worker threads for the exhaustive phase (default: the machine's cores)",
      workerCount,
    )
    .action(
      async (
        scenario: string | undefined,
        options: {
          strategy: string[];
          linux: string;
          variants?: boolean;
          replay?: string;
          json?: boolean;
          por: boolean;
          workers?: number;
        },
      ) => {
        const loaded = plugins();
        const outcome = await exploreCommand({
          ...options,
          ...(scenario === undefined ? {} : { scenario }),
          imports: [...builtinStrategyModules(), ...loaded],
          progress: io.progress,
          ...width,
        });
        io.out(outcome.output);
        exitCode = outcome.exitCode;
      },
    );

  program
    .command('graph')
    .description("each strategy's module graph: one Mermaid document with a subgraph per strategy, or DOT")
    .addOption(strategyOption())
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action((options: { strategy: string[]; format?: string }) => {
      plugins();
      io.out(graphCommand(options));
    });

  program
    .command('history')
    .description(
      "the coupling's history: each posted, shipped or proposed kvm<->vfio shape convicted or cleared by the explorer, then its fix",
    )
    .option('--json', 'print the timeline as JSON')
    .action((options: { json?: boolean }) => {
      plugins();
      const outcome = historyCommand({ ...options, ...width });
      io.out(outcome.output);
      exitCode = outcome.exitCode;
    });

  // Bare `coupling-lab`: the help, as a newcomer would hope, and success.
  if (argv.length === 0) {
    io.out(program.helpInformation().trimEnd());
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handle(error, program, io, argv);
  }
}

function handle(error: unknown, program: Command, io: Io, argv: readonly string[]): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return 0; // --help, --version
    io.err(`coupling-lab: ${usageMessage(error, program, argv)}`);
    return 2;
  }
  if (error instanceof UsageError || error instanceof CliError) {
    io.err(`coupling-lab: ${error.message}`);
    return error.exitCode;
  }
  throw error;
}

/** commander's message, with the valid choices named where it doesn't already. */
function usageMessage(error: CommanderError, program: Command, argv: readonly string[]): string {
  const commands = program.commands.map((command) => command.name()).join(', ');
  if (error.code === 'commander.help') return `no command given; valid commands: ${commands}`;
  const message = error.message.replace(/^error: /, '');
  if (error.code === 'commander.unknownCommand') return `${message}; valid commands: ${commands}`;
  if (error.code === 'commander.unknownOption') {
    const command = program.commands.find((candidate) => argv.includes(candidate.name()));
    const options = [...(command?.options ?? []), ...program.options].map((option) => option.long);
    return `${message}; valid options: ${options.join(', ')}`;
  }
  return message;
}
