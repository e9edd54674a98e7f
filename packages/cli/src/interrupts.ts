/** Lets a command undo what it made if the user interrupts it (SIGINT, SIGTERM). */
export interface Interrupts {
  /** Runs `cleanup` if the process is interrupted before the returned function is called. */
  onInterrupt(cleanup: () => void): () => void;
}

const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * The process's interrupts: on SIGINT or SIGTERM every registered cleanup runs, one line says so
 * on stderr, and the process exits with 128 + the signal number, as a shell reports it.
 */
export function processInterrupts(proc: NodeJS.Process = process): Interrupts {
  const cleanups = new Set<() => void>();
  const handle = (signal: NodeJS.Signals): void => {
    for (const cleanup of cleanups) cleanup();
    proc.stderr.write(`coupling-lab: interrupted by ${signal}; removed what this run had created\n`);
    proc.exit(exitCodes[signal] ?? 1);
  };
  return {
    onInterrupt(cleanup) {
      if (cleanups.size === 0) {
        proc.on('SIGINT', handle);
        proc.on('SIGTERM', handle);
      }
      cleanups.add(cleanup);
      return () => {
        cleanups.delete(cleanup);
        if (cleanups.size === 0) {
          proc.off('SIGINT', handle);
          proc.off('SIGTERM', handle);
        }
      };
    },
  };
}
