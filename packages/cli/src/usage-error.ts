/** A mistake in what the user typed: one line on stderr and exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user should read, not a stack trace (an unwritable --out, a plugin that fails): exit code 1. */
export class CliError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
