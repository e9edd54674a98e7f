import type { BugReport, ChainEdge } from './bug-report.js';

/** Who tried to take the lock, as lockdep's "%s/%d is trying to acquire lock:" names the task. */
function taskOf(report: BugReport): string {
  const fault = report.fault;
  if (fault?.in !== 'step') return 'a thread';
  const thread = report.threads.find((candidate) => candidate.thread === fault.thread);
  return thread === undefined ? `thread ${fault.thread}` : `thread ${thread.letter}`;
}

/** Is `chain` a cycle, each edge taking the lock the next one holds, the last closing it? */
function isCycle(chain: readonly ChainEdge[]): boolean {
  return (
    chain.length >= 2 && chain.every((edge, index) => edge.taken === chain[(index + 1) % chain.length]?.held)
  );
}

/**
 * lockdep's circular-dependency body [kernel/locking/lockdep.c: print_circular_bug_header,
 * print_circular_bug_entry, print_circular_lock_scenario], from the verdict's chain as the
 * kernel's lockdep gives it: the new dependency first (held `prev`, taking `next`), then the
 * recorded path from `next` back to `prev`. The entries are printed in reverse, from the held
 * lock (#N) down to #0, the lock being acquired, each with the schedule that first took that order.
 */
export function circularDependencyLines(report: BugReport, chain: readonly ChainEdge[]): string[] {
  const [added, ...back] = chain;
  if (added === undefined) return [];
  const lines = [
    `${taskOf(report)} is trying to acquire lock:`,
    ` (${added.taken})`,
    '',
    'but task is already holding lock:',
    ` (${added.held})`,
    '',
    'which lock already depends on the new lock.',
    '',
    'the existing dependency chain (in reverse order) is:',
  ];
  const entries = [
    ...back.map((edge, index) => ({ edge, depth: index + 1 })).reverse(),
    { edge: added, depth: 0 },
  ];
  for (const { edge, depth } of entries) {
    lines.push(
      '',
      `-> #${depth} (${edge.taken}):`,
      `       taken while holding ${edge.held}, first in schedule "${edge.schedule}"`,
    );
  }
  if (!isCycle(chain)) return lines;
  // source: the lock being taken; target: the lock held; parent: the lock the chain reaches target from.
  const source = added.taken;
  const target = added.held;
  const parent = back[back.length - 1]?.held ?? source;
  lines.push('', 'other info that might help us debug this:', '');
  if (parent !== source) lines.push('Chain exists of:', `  ${source} --> ${parent} --> ${target}`, '');
  const cpu1 = ' '.repeat(31);
  lines.push(
    ' Possible unsafe locking scenario:',
    '',
    '       CPU0                    CPU1',
    '       ----                    ----',
    `  lock(${target});`,
    `${cpu1}lock(${parent});`,
    `${cpu1}lock(${target});`,
    `  lock(${source});`,
    '',
    ' *** DEADLOCK ***',
  );
  return lines;
}

/** lockdep's recursive-locking body [kernel/locking/lockdep.c: print_deadlock_bug, print_deadlock_scenario]. */
export function recursiveLockingLines(report: BugReport): string[] {
  const lock = report.object;
  if (lock === undefined) return [];
  return [
    `${taskOf(report)} is trying to acquire lock:`,
    ` (${lock})`,
    '',
    'but task is already holding lock:',
    ` (${lock})`,
    '',
    'other info that might help us debug this:',
    ' Possible unsafe locking scenario:',
    '',
    '       CPU0',
    '       ----',
    `  lock(${lock});`,
    `  lock(${lock});`,
    '',
    ' *** DEADLOCK ***',
    '',
    ' May be due to missing lock nesting notation',
  ];
}
