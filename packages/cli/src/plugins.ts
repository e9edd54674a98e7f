import {
  constructStrategy,
  type CouplingStrategy,
  registeredStrategyClasses,
  registeredStrategyNames,
  type StrategyClass,
  strategyContractProblem,
} from '@coupling-lab/lab';
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { CliError } from './usage-error.js';

/** A `--plugin` module, loaded and checked, and the strategy names it added. */
export interface LoadedPlugin {
  readonly specifier: string;
  /** The resolved module path (measuring child processes load it again). */
  readonly path: string;
  readonly strategies: readonly string[];
}

const typescript = new Set(['.ts', '.mts', '.cts', '.tsx']);

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * The error a constructor threw, without the dependency-injection wrapping around it: tsyringe
 * reports a failing dependency as "Cannot inject the dependency … Reason:" followed by the cause.
 */
function constructorError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const reason = /Reason:\s*([\s\S]*)$/.exec(text);
  return (reason?.[1] ?? text).trim().split('\n')[0] ?? text;
}

function looksLikePath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}

/** Resolves a specifier to the file node would load; a missing file or an unbuilt package is said plainly. */
function resolvePlugin(specifier: string, cwd: string): string {
  const target = looksLikePath(specifier) ? resolve(cwd, specifier) : specifier;
  if (looksLikePath(specifier) && !existsSync(target))
    throw new CliError(`plugin ${specifier}: no such file or directory (${target})`);
  try {
    return require.resolve(target, { paths: [cwd] });
  } catch (error) {
    // A package directory whose main is not built yet: say how to build it.
    const hint = looksLikePath(specifier) ? ' (is it built? run `pnpm build`)' : '';
    throw new CliError(`plugin ${specifier} failed to load: ${firstLine(error)}${hint}`);
  }
}

function load(specifier: string, path: string): void {
  try {
    // A plugin is named at run time and registers its strategies when loaded.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path);
  } catch (error) {
    if (error instanceof SyntaxError && typescript.has(extname(path))) {
      throw new CliError(
        `plugin ${specifier} is TypeScript, which node cannot load: build it first (e.g. \`pnpm build\` or tsc) and pass the built .js file or its package directory`,
      );
    }
    const hint = /Cannot find module/.test(firstLine(error)) ? ' (is it built? run `pnpm build`)' : '';
    throw new CliError(`plugin ${specifier} failed to load: ${firstLine(error)}${hint}`);
  }
}

/** Builds one strategy a plugin registered and checks its shape; errors name the plugin and the member. */
function construct(specifier: string, strategyClass: StrategyClass): CouplingStrategy {
  const className = strategyClass.name === '' ? 'an anonymous class' : strategyClass.name;
  let strategy: unknown;
  try {
    strategy = constructStrategy(strategyClass);
  } catch (error) {
    throw new CliError(
      `plugin ${specifier}: the constructor of ${className} threw: ${constructorError(error)}`,
    );
  }
  const problem = strategyContractProblem(strategy);
  if (problem !== undefined) {
    const name = (strategy as { name?: unknown } | null)?.name;
    const which = typeof name === 'string' && name !== '' ? `strategy "${name}" (${className})` : className;
    throw new CliError(`plugin ${specifier}: ${which} is not a CouplingStrategy: ${problem}`);
  }
  return strategy as CouplingStrategy;
}

/**
 * Loads `--plugin` modules: a path (a package directory or a built file) or a package name. A
 * plugin registers its strategies when imported (e.g. with lab's `@couplingStrategy()`). Each is
 * checked on load: given twice, failing to load (a TypeScript file is told to build first),
 * registering nothing, a constructor that throws, a strategy that breaks the contract (name,
 * summary, runtimeEdges, modules()) and a name already taken are each one readable error naming
 * the plugin. Returns what each plugin added.
 */
export function loadPlugins(specifiers: readonly string[], cwd = process.cwd()): LoadedPlugin[] {
  const added: LoadedPlugin[] = [];
  const owners = new Map<string, string>();
  for (const specifier of specifiers) {
    const path = resolvePlugin(specifier, cwd);
    const earlier = added.find((plugin) => plugin.path === path);
    if (earlier !== undefined)
      throw new CliError(
        `plugin ${specifier} is given twice (it is the same module as --plugin ${earlier.specifier})`,
      );
    const namesBefore = new Set(registeredStrategyNames());
    const classesBefore = registeredStrategyClasses().length;
    load(specifier, path);
    const classes = registeredStrategyClasses().slice(classesBefore);
    if (classes.length === 0) {
      throw new CliError(
        `plugin ${specifier} registered no strategy (it must register one when imported, e.g. with @couplingStrategy())`,
      );
    }
    const names: string[] = [];
    for (const strategyClass of classes) {
      const { name } = construct(specifier, strategyClass);
      if (names.includes(name)) throw new CliError(`plugin ${specifier} registers strategy "${name}" twice`);
      if (namesBefore.has(name)) {
        const owner = owners.get(name);
        throw new CliError(
          `plugin ${specifier} registers strategy "${name}", a name already registered${owner === undefined ? '' : ` by plugin ${owner}`}; rename it`,
        );
      }
      names.push(name);
      owners.set(name, specifier);
    }
    added.push({ specifier, path, strategies: names });
  }
  return added;
}
