/**
 * The width to fit output into: `COLUMNS` when it is set to a positive integer (as `ls` honours it,
 * so `COLUMNS=80 coupling-lab compare` works in a pipe), else the terminal's, else unknown.
 */
export function terminalWidth(
  env: NodeJS.ProcessEnv = process.env,
  columns: number | undefined = process.stdout.columns,
): number | undefined {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS !== undefined && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return columns !== undefined && columns > 0 ? columns : undefined;
}
