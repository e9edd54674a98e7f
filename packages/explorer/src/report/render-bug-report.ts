import type { BugReport } from './bug-report.js';
import { renderInterleaving, threadHeading, wrap } from './interleaving.js';
import { circularDependencyLines, recursiveLockingLines } from './lockdep-text.js';

export interface RenderBugOptions {
  /** Fit into this many columns (the interleaving switches layout; prose wraps). */
  readonly width?: number;
}

function threadName(report: BugReport, number: number): string {
  const thread = report.threads.find((candidate) => candidate.thread === number);
  return thread === undefined ? `thread ${number}` : threadHeading(thread);
}

/** The line saying who raised the violation, or where: the thread and its step, the check between steps, teardown. */
export function faultLine(report: BugReport): string | undefined {
  const fault = report.fault;
  if (fault === undefined) return undefined;
  switch (fault.in) {
    case 'step': {
      const step = report.steps[fault.step - 1];
      return `raised by ${threadName(report, fault.thread)} in step ${fault.step}: ${step?.label ?? '?'}`;
    }
    case 'check':
      return `raised by the lab's check between syscalls, after step ${fault.after}`;
    case 'teardown':
      return 'raised at teardown, after the last step (every process exited, every module unloaded that could be)';
  }
}

/** `scenario add-vs-del · strategy … · schedule "1 2@9" (1 preemption)`. */
export function whereLine(report: BugReport): string {
  const parts = [
    ...(report.scenario === undefined ? [] : [`scenario ${report.scenario}`]),
    ...(report.strategy === undefined ? [] : [`strategy ${report.strategy}`]),
    `schedule "${report.schedule}" (${report.preemptions} preemption${report.preemptions === 1 ? '' : 's'})`,
  ];
  return parts.join(' · ');
}

/** Lockdep's own lines for the report, when it has them: the circular chain, or recursive locking. */
export function lockdepLines(report: BugReport): string[] {
  if (report.chain !== undefined && report.chain.length > 0)
    return circularDependencyLines(report, report.chain);
  if (report.kind === 'recursive-lock') return recursiveLockingLines(report);
  return [];
}

function traceLines(report: BugReport, width: number): string[] {
  if (report.trace.length === 0) return [];
  // Thread 0 is no thread: the set-up, the check between steps and the teardown.
  const letter = (thread: number): string =>
    report.threads.find((candidate) => candidate.thread === thread)?.letter ?? '-';
  const pointWidth = Math.max(...report.trace.map((step) => step.point.length));
  const indent = 2 + 1 + 2 + pointWidth + 2;
  return [
    ...wrap(
      `trace, the last ${report.trace.length} kernel primitives before the fault (oldest first):`,
      width,
    ),
    ...report.trace.flatMap((step) =>
      wrap(step.subject, Math.max(12, width - indent)).map((part, index) =>
        index === 0
          ? `  ${letter(step.thread)}  ${step.point.padEnd(pointWidth)}  ${part}`
          : `${' '.repeat(indent)}${part}`,
      ),
    ),
  ];
}

/**
 * The violation as a kernel engineer expects to read it: a block in the shape of KASAN's and
 * lockdep's reports, between rules of `=`. The title and its object, the message and module, who
 * raised it, lockdep's chain when the verdict has one, the interleaving with the racing (nested)
 * step marked ↳ and the faulting one ✗, the waiters of a deadlock, the tail of the trace, and the
 * replay command.
 */
export function renderBugReport(report: BugReport, options: RenderBugOptions = {}): string {
  const width = options.width ?? Infinity;
  const prose = (text: string): string[] => (Number.isFinite(width) ? wrap(text, width) : [text]);
  const rule = '='.repeat(Math.min(Number.isFinite(width) ? width : 66, Math.max(66, report.title.length)));
  const fault = faultLine(report);
  const lines = [
    rule,
    report.title,
    ...prose(report.module === undefined ? report.message : `${report.message} (module ${report.module})`),
    ...(fault === undefined ? [] : prose(fault)),
    ...prose(whereLine(report)),
  ];
  const lockdep = lockdepLines(report);
  if (lockdep.length > 0) lines.push('', ...lockdep);
  lines.push('', 'interleaving:', renderInterleaving(report.steps, report.threads, options));
  if (report.waiting !== undefined && report.waiting.length > 0) {
    lines.push('', 'waiting:');
    for (const waiter of report.waiting)
      lines.push(
        ...prose(`  ${threadName(report, waiter.thread)} in ${waiter.label} waits for ${waiter.on}`),
      );
  }
  const trace = traceLines(report, width);
  if (trace.length > 0) lines.push('', ...trace);
  if (report.replay !== undefined) lines.push('', 'replay:', `  ${report.replay}`);
  lines.push(rule);
  return lines.join('\n');
}
