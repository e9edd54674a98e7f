import {
  type BugReport,
  faultLine,
  lockdepLines,
  preemptionNote,
  threadHeading,
  whereLine,
} from '@coupling-lab/explorer';
import { escapeHtml } from './escape.js';

function interleavingTable(report: BugReport): string {
  const head = report.threads
    .map((thread) => `<th scope="col">${escapeHtml(threadHeading(thread))}</th>`)
    .join('');
  const rows = report.steps.map((step) => {
    const note = preemptionNote(step);
    const classes = [step.preempted === undefined ? '' : 'nested', step.faulted === true ? 'faulted' : '']
      .filter((c) => c !== '')
      .join(' ');
    const cells = report.threads
      .map((thread) => {
        if (thread.thread !== step.thread) return '<td></td>';
        const marker = step.preempted === undefined ? '' : '<span class="marker">↳</span> ';
        const fault =
          step.faulted === true
            ? ' <span class="fault" title="the violation was raised in this step">✗</span>'
            : '';
        const where = note === undefined ? '' : `<div class="preemption">${escapeHtml(note)}</div>`;
        return `<td style="padding-left: ${0.5 + step.depth * 1.2}em">${marker}<code>${escapeHtml(step.label)}</code>${fault}${where}</td>`;
      })
      .join('');
    return `<tr${classes === '' ? '' : ` class="${classes}"`} data-thread="${step.thread}"><th scope="row">${step.index}</th>${cells}</tr>`;
  });
  return `<div class="table-wrap"><table class="interleaving"><thead><tr><th scope="col">step</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function traceBlock(report: BugReport): string {
  if (report.trace.length === 0) return '';
  const letter = (thread: number): string =>
    report.threads.find((candidate) => candidate.thread === thread)?.letter ?? '-';
  const lines = report.trace.map(
    (step) => `${letter(step.thread)}  ${step.point.padEnd(13)}  ${step.subject}`,
  );
  return `<details class="trace"><summary>trace: the last ${report.trace.length} kernel primitives before the fault</summary><pre>${escapeHtml(lines.join('\n'))}</pre></details>`;
}

/**
 * A violation as report.html shows it: the checker's title, what and who, lockdep's lines when
 * the verdict has them, the interleaving as a table (a column per thread, the racing step marked
 * ↳, the faulting one ✗), the trace tail and the replay command.
 */
export function bugReportHtml(report: BugReport): string {
  const fault = faultLine(report);
  const message =
    report.module === undefined ? report.message : `${report.message} (module ${report.module})`;
  const lockdep = lockdepLines(report);
  return [
    `<div class="bug-report" data-kind="${escapeHtml(report.kind)}">`,
    `<p class="bug-title">${escapeHtml(report.title)}</p>`,
    `<p class="bug-message">${escapeHtml(message)}</p>`,
    fault === undefined ? '' : `<p class="bug-fault">${escapeHtml(fault)}</p>`,
    `<p class="bug-where">${escapeHtml(whereLine(report))}</p>`,
    lockdep.length === 0 ? '' : `<pre class="lockdep">${escapeHtml(lockdep.join('\n'))}</pre>`,
    interleavingTable(report),
    traceBlock(report),
    report.replay === undefined
      ? ''
      : `<p class="replay">replay: <code>${escapeHtml(report.replay)}</code></p>`,
    '</div>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}
