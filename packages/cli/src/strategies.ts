import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';
import { type CouplingStrategy, registeredStrategies } from '@coupling-lab/lab';
import { UsageError } from './usage-error.js';

/** The order the comparison shows strategies in: the baseline first, then as the thread debated them. */
const preferredOrder = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'];

/** Real strategies in the preferred order; a variant (of a variant, too) sits with its real strategy. */
function byPreferredOrder(a: CouplingStrategy, b: CouplingStrategy): number {
  const rank = (s: CouplingStrategy): number => {
    // A history variant names the variant it differs from by one change: its root is before the first '/'.
    const root = (s.variant?.of ?? s.name).split('/')[0] ?? s.name;
    const index = preferredOrder.indexOf(root);
    return index < 0 ? preferredOrder.length : index;
  };
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

/** Every registered strategy (built in, and from --plugin), real ones first; variants only when asked. */
export function installedStrategies(options: { variants: boolean }): CouplingStrategy[] {
  const all = registeredStrategies().sort(byPreferredOrder);
  const real = all.filter((strategy) => strategy.variant === undefined);
  return options.variants ? [...real, ...all.filter((strategy) => strategy.variant !== undefined)] : real;
}

/**
 * The strategies that `--strategy` names, in the order given: each use of the option is a
 * comma-separated list and repeats accumulate (`--strategy a --strategy b,c`); a name given twice
 * counts once. With no `--strategy` it is every real strategy. An unknown name is a usage error
 * naming the valid ones.
 */
export function selectStrategies(
  lists: readonly string[] | string | undefined,
  options: { variants: boolean },
): CouplingStrategy[] {
  const given = typeof lists === 'string' ? [lists] : (lists ?? []);
  if (given.length === 0) return installedStrategies(options);
  const available = installedStrategies({ variants: true });
  const names = [
    ...new Set(
      given.flatMap((list) =>
        list
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name.length > 0),
      ),
    ),
  ];
  if (names.length === 0) throw new UsageError('--strategy needs at least one name');
  return names.map((name) => {
    const found = available.find((strategy) => strategy.name === name);
    if (found === undefined) {
      throw new UsageError(
        `unknown strategy "${name}"; valid: ${available.map((strategy) => strategy.name).join(', ')}`,
      );
    }
    return found;
  });
}
