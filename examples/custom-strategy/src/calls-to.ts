import type { System } from '@coupling-lab/lab';

/**
 * Runs `run` and counts the calls into the exported function `symbol` it makes, by listening on
 * the kernel's preemption hook (every cross-module call passes one). The hook must be free: not
 * for use under the explorer.
 */
export function callsTo<T>(sys: System, symbol: string, run: () => T): { result: T; calls: number } {
  const kernel = sys.kernel;
  if (kernel.hook !== undefined) throw new Error('callsTo: the kernel already has a preemption hook');
  let calls = 0;
  kernel.hook = (point, subject) => {
    if (point === 'call' && subject === symbol) calls += 1;
  };
  try {
    return { result: run(), calls };
  } finally {
    kernel.hook = undefined;
  }
}
