import type { ReportStep, ReportThread } from './bug-report.js';

export interface InterleavingOptions {
  /** Fit into this many columns: the side-by-side layout when it fits, else one step per line. */
  readonly width?: number;
}

const SEPARATOR = ' │ ';
const FAULT = '✗';

/** How a thread is headed: `thread A (QEMU)`. */
export function threadHeading(thread: ReportThread): string {
  return thread.name === undefined ? `thread ${thread.letter}` : `thread ${thread.letter} (${thread.name})`;
}

/** Where a nested step ran: `inside step 1, at point 9: unlock kvm_vfio.lock`. */
export function preemptionNote(step: ReportStep): string | undefined {
  const at = step.preempted;
  if (at === undefined) return undefined;
  return `inside step ${at.inside}, at point ${at.point}${at.primitive === undefined ? '' : `: ${at.primitive}`}`;
}

function cellText(step: ReportStep): string {
  const note = preemptionNote(step);
  const body =
    step.depth === 0
      ? step.label
      : `${'  '.repeat(step.depth - 1)}↳ ${step.label}${note === undefined ? '' : `  (${note})`}`;
  return step.faulted === true ? `${body}  ${FAULT}` : body;
}

function columns(steps: readonly ReportStep[], threads: readonly ReportThread[]): string[] {
  const header = threads.map(threadHeading);
  const rows = steps.map((step) =>
    threads.map((thread) => (thread.thread === step.thread ? cellText(step) : '')),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (number: string, cells: readonly string[]): string =>
    `${number.padStart(3)}  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(SEPARATOR)}`.trimEnd();
  const rule = `${' '.repeat(5)}${widths.map((width) => '─'.repeat(width)).join('─┼─')}`;
  return [
    line('', header),
    rule,
    ...steps.map((step, index) => line(String(step.index), rows[index] ?? [])),
    rule,
  ];
}

/** Breaks `text` at spaces into lines of at most `width` (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** The narrow layout: a line per step naming its thread, the nesting note on the lines below. */
function list(steps: readonly ReportStep[], threads: readonly ReportThread[], width: number): string[] {
  const letters = new Map(threads.map((thread) => [thread.thread, thread.letter]));
  // The column headings carry the threads' names; here a legend does, when there are any.
  const named = threads.filter((thread) => thread.name !== undefined);
  const lines = named.length === 0 ? [] : wrap(named.map(threadHeading).join(', '), width);
  for (const step of steps) {
    const head = `${String(step.index).padStart(3)}  ${letters.get(step.thread) ?? '?'}  ${'  '.repeat(step.depth)}${step.depth > 0 ? '↳ ' : ''}`;
    const indent = ' '.repeat(head.length);
    const text = `${step.label}${step.faulted === true ? `  ${FAULT}` : ''}`;
    const [first = '', ...rest] = wrap(text, Math.max(20, width - head.length));
    lines.push(`${head}${first}`, ...rest.map((part) => `${indent}${part}`));
    const note = preemptionNote(step);
    if (note !== undefined)
      lines.push(...wrap(`(${note})`, Math.max(20, width - indent.length)).map((part) => `${indent}${part}`));
  }
  return lines;
}

/**
 * A schedule's steps as an interleaving: one column per thread (A is thread 1), one row per step
 * in the order the steps started. A step that ran nested inside another thread's step (at a
 * preemption point, before that step finished) is indented by its depth and marked `↳`, with the
 * step it interrupted and the preemption point, plus that point's kernel primitive when known (a
 * `lock` point is an acquisition, an `unlock` a release). The step the violation was raised in is
 * marked ✗. When the columns do not fit `width`, each step gets its own line instead.
 */
export function renderInterleaving(
  steps: readonly ReportStep[],
  threads: readonly ReportThread[],
  options: InterleavingOptions = {},
): string {
  const side = columns(steps, threads);
  const width = options.width ?? Infinity;
  if (side.every((line) => line.length <= width)) return side.join('\n');
  return list(steps, threads, width).join('\n');
}
