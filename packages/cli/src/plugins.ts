import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { registeredStrategyNames } from '@coupling-lab/lab';
import { CliError } from './usage-error.js';

/**
 * Loads `--plugin` modules: a path (a package directory or file) or a package name. A plugin
 * registers its strategies when imported (e.g. with lab's `@couplingStrategy()`); one that fails to
 * load or registers nothing new is an error. Returns the names each plugin added.
 */
export interface LoadedPlugin {
  readonly specifier: string;
  /** The resolved module path (measuring child processes load it again). */
  readonly path: string;
  readonly strategies: readonly string[];
}

export function loadPlugins(specifiers: readonly string[], cwd = process.cwd()): LoadedPlugin[] {
  const added: LoadedPlugin[] = [];
  for (const specifier of specifiers) {
    const before = new Set(registeredStrategyNames());
    const target = looksLikePath(specifier) ? resolve(cwd, specifier) : specifier;
    if (looksLikePath(specifier) && !existsSync(target))
      throw new CliError(`plugin ${specifier}: no such file or directory (${target})`);
    let path: string;
    try {
      path = require.resolve(target, { paths: [cwd] });
      // A plugin is named at run time and registers its strategies when loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path);
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
      // A package directory whose main is not built yet: say how to build it.
      const hint =
        looksLikePath(specifier) && existsSync(target) && /Cannot find module/.test(reason)
          ? ' (is it built? run `pnpm build`)'
          : '';
      throw new CliError(`plugin ${specifier} failed to load: ${reason}${hint}`);
    }
    const names = registeredStrategyNames().filter((name) => !before.has(name));
    if (names.length === 0) {
      throw new CliError(
        `plugin ${specifier} registered no strategy (it must register one when imported, e.g. with @couplingStrategy())`,
      );
    }
    added.push({ specifier, path, strategies: names });
  }
  return added;
}

function looksLikePath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}
