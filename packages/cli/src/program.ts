import { Command, CommanderError, Option } from 'commander';
import { measure, renderBench } from './commands/bench.js';
import { compareCommand } from './commands/compare.js';
import { exploreCommand } from './commands/explore.js';
import { graphCommand } from './commands/graph.js';
import { listCommand } from './commands/list.js';
import { loadPlugins } from './plugins.js';
import { Progress } from './progress.js';
import { selectStrategies } from './strategies.js';
import { CliError, UsageError } from './usage-error.js';

/** Where the program writes; tests pass their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly progress: Progress;
  readonly colour: boolean;
  readonly width?: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Runs the `coupling-lab` command line; resolves to the exit code: 0, 1 (a conformance failure,
 * a race in a real strategy, or a failure such as an unwritable --out), 2 (a usage error).
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command('coupling-lab')
    .description('How should two independently loadable modules call each other? KVM and VFIO, compared.')
    .option('--plugin <module>', 'load a strategy plugin (a path or a package name); may repeat', collect, [])
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: () => undefined });
  const plugins = (): string[] =>
    loadPlugins(program.opts<{ plugin: string[] }>().plugin).map((plugin) => plugin.path);

  program
    .command('compare')
    .description(
      'conformance, coupling metrics, the race catalogue and benchmarks, side by side; writes report.md/json/html',
    )
    .option('--strategy <names>', 'comma-separated strategies (default: every real strategy)')
    .option('--quick', 'a fast run (seconds, not minutes)')
    .option('--out <dir>', 'where to write the reports (default: reports/<timestamp>)')
    .option('--json', 'print report.json on stdout instead of the table')
    .option('--no-bench', 'skip the timed benchmarks')
    .action(
      async (options: {
        strategy?: string;
        quick?: boolean;
        out?: string;
        json?: boolean;
        bench: boolean;
      }) => {
        const outcome = await compareCommand({
          ...options,
          plugins: plugins(),
          progress: io.progress,
          colour: io.colour,
          ...widthOf(io),
        });
        io.out(outcome.output);
        exitCode = outcome.exitCode;
      },
    );

  program
    .command('list')
    .description('the installed strategies')
    .option('--all', 'include the race-catalogue variants')
    .action((options: { all?: boolean }) => {
      plugins();
      io.out(listCommand(options));
    });

  program
    .command('bench')
    .description('time every strategy: ns/op and ratio to direct with 95% intervals, and counted costs')
    .option('--strategy <names>', 'comma-separated strategies (default: every real strategy)')
    .option('--quick', 'a fast run (seconds, not minutes)')
    .option('--json', 'print the results as JSON')
    .action(async (options: { strategy?: string; quick?: boolean; json?: boolean }) => {
      const loaded = plugins();
      const strategies = selectStrategies(options.strategy, { variants: false });
      const result = await measure({
        strategies,
        quick: options.quick === true,
        plugins: loaded,
        progress: io.progress,
      });
      io.out(options.json ? JSON.stringify(result, null, 2) : renderBench(result, strategies));
    });

  program
    .command('explore')
    .description('run the race catalogue (or one scenario) against strategies, or replay a schedule')
    .argument('[scenario]', 'a catalogue scenario (default: all)')
    .option('--strategy <names>', 'comma-separated strategies (default: every real strategy)')
    .option('--variants', 'run the race-catalogue variants instead of the real strategies')
    .option('--replay <schedule>', 'replay one schedule string (needs a scenario and one --strategy)')
    .option('--json', 'print { results: [...] } as JSON')
    .action(
      (
        scenario: string | undefined,
        options: { strategy?: string; variants?: boolean; replay?: string; json?: boolean },
      ) => {
        plugins();
        const outcome = exploreCommand({
          ...options,
          ...(scenario === undefined ? {} : { scenario }),
          progress: io.progress,
        });
        io.out(outcome.output);
        exitCode = outcome.exitCode;
      },
    );

  program
    .command('graph')
    .description("each strategy's module graph")
    .option('--strategy <names>', 'comma-separated strategies (default: every real strategy)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action((options: { strategy?: string; format?: string }) => {
      plugins();
      io.out(graphCommand(options));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handle(error, program, io, argv);
  }
}

function widthOf(io: Io): { width?: number } {
  return io.width === undefined ? {} : { width: io.width };
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
  const message = error.message.replace(/^error: /, '');
  if (error.code === 'commander.unknownCommand' || error.code === 'commander.help') {
    return `${message}; valid commands: ${program.commands.map((command) => command.name()).join(', ')}`;
  }
  if (error.code === 'commander.unknownOption') {
    const command = program.commands.find((candidate) => argv.includes(candidate.name()));
    const options = [...(command?.options ?? []), ...program.options].map((option) => option.long);
    return `${message}; valid options: ${options.join(', ')}`;
  }
  return message;
}
