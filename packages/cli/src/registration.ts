/** The modules that register the built-in strategies, resolved to paths a measuring child process can require. */
export function builtinStrategyModules(): string[] {
  return [
    require.resolve('@coupling-lab/strategy-direct'),
    require.resolve('@coupling-lab/strategy-symbol-get'),
    require.resolve('@coupling-lab/strategy-symbol-get-file'),
    require.resolve('@coupling-lab/strategy-get-ops'),
    require.resolve('@coupling-lab/strategy-register-ops'),
  ];
}
