import { parseSchedule, type ViolationVerdict } from '@coupling-lab/explorer';

export interface TimelineOptions {
  /** What each thread is, in thread order ('QEMU', 'admin'); shown in the column headers. */
  readonly names?: readonly string[];
}

const SEPARATOR = ' │ ';
/** Kernel.violation keeps the last 40 trace steps: only a shorter trace is known to start at point 1. */
const TRACE_TAIL = 40;

/** The kernel primitive at preemption point `point` (counted from 1 across the schedule), when the trace reaches back to it. */
function primitiveAt(verdict: ViolationVerdict, point: number): string | undefined {
  if (verdict.trace.length >= TRACE_TAIL) return undefined;
  const step = verdict.trace.filter((entry) => entry.point !== 'syscall')[point - 1];
  return step === undefined ? undefined : `${step.point} ${step.subject}`;
}

/** Where a nested step ran: inside which earlier step (numbered from 1), at which preemption point. */
function nesting(verdict: ViolationVerdict, index: number, point: number): string {
  const depth = verdict.steps[index]?.depth ?? 0;
  let outer = index - 1;
  while (outer > 0 && (verdict.steps[outer]?.depth ?? 0) !== depth - 1) outer -= 1;
  const primitive = primitiveAt(verdict, point);
  return `inside step ${outer + 1}, at point ${point}${primitive === undefined ? '' : `: ${primitive}`}`;
}

/**
 * A violation's minimal schedule as a timeline: one column per thread (A is thread 1), one row
 * per step in the order steps started. A step that ran nested inside another thread's step (at a
 * preemption point, before that step finished) is indented by its depth and marked `↳`, with the
 * step it interrupted and the preemption point, plus that point's kernel primitive when the
 * violation's trace reaches back to it (a `lock` point is an acquisition or a release). The
 * violation closes the table: the verdict does not say which thread raised it, only what it was.
 */
export function timeline(verdict: ViolationVerdict, options: TimelineOptions = {}): string {
  // A schedule's last segment is the run that faulted (earlier ones only rebuild lockdep's graph).
  const segments = parseSchedule(verdict.schedule);
  const tokens = segments[segments.length - 1] ?? [];
  const threads = Math.max(...verdict.steps.map((step) => step.thread));
  const header = Array.from({ length: threads }, (_, index) => {
    const letter = String.fromCharCode(65 + index);
    const name = options.names?.[index];
    return name === undefined ? `thread ${letter}` : `thread ${letter} (${name})`;
  });
  const rows = verdict.steps.map((step, index) => {
    const point = tokens[index]?.point ?? 0;
    const cell =
      step.depth === 0
        ? step.label
        : `${'  '.repeat(step.depth - 1)}↳ ${step.label}  (${nesting(verdict, index, point)})`;
    return header.map((_, column) => (column === step.thread - 1 ? cell : ''));
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (number: string, cells: readonly string[]): string =>
    `${number.padStart(3)}  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(SEPARATOR)}`.trimEnd();
  const rule = `${' '.repeat(5)}${widths.map((width) => '─'.repeat(width)).join('─┼─')}`;
  return [
    line('', header),
    rule,
    ...rows.map((cells, index) => line(String(index + 1), cells)),
    rule,
    `  ✗  ${verdict.message}`,
  ].join('\n');
}
