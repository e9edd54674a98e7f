/**
 * A schedule string that cannot be replayed: malformed, not fitting the scenario, or infeasible.
 * It is the caller's input that is wrong, not the model (the CLI answers it as a usage error).
 */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}
