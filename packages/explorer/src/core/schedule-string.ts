import { ScheduleError } from './schedule-error.js';

/**
 * Schedule strings: the decisions of a schedule, compact enough to paste into a bug report and
 * exact enough for `replay` to re-execute it.
 *
 * A schedule is the list of step starts in execution order, separated by single spaces:
 *   `<t>`      top level: thread t (numbered from 1) runs its next whole step;
 *   `<t>@<p>`  thread t's next whole step runs nested at preemption point p, the p-th call of the
 *              kernel's preemption hook in this schedule (counting from 1, across all threads and depths).
 * Example: `1 2@4 2` reads "thread 1 starts its step; at the 4th preemption point thread 2's next
 * step runs inside it; then thread 2's following step runs at top level".
 *
 * Several schedules joined by ` ; ` run one after another on one lockdep graph, and the verdict is
 * the last one's. The explorer writes this when a lock-order inversion combines an order taken in
 * an earlier schedule (the first, a witness) with the reverse order in the reported one.
 */

/** One step start: `point` is 0 at top level, else the preemption point it was nested at. */
export interface ScheduleToken {
  readonly thread: number;
  readonly point: number;
}

export type ScheduleSegments = readonly (readonly ScheduleToken[])[];

const SEGMENT_SEPARATOR = ' ; ';
const TOKEN = /^([1-9][0-9]*)(?:@([1-9][0-9]*))?$/;

export function formatSegment(tokens: readonly ScheduleToken[]): string {
  return tokens
    .map((token) => (token.point === 0 ? `${token.thread}` : `${token.thread}@${token.point}`))
    .join(' ');
}

export function formatSchedule(segments: ScheduleSegments): string {
  return joinSegments(segments.map(formatSegment));
}

/** Joins already formatted segments into one schedule string. */
export function joinSegments(segments: readonly string[]): string {
  return segments.join(SEGMENT_SEPARATOR);
}

/** Parses a schedule string; throws an Error naming the offending token when it is malformed. */
export function parseSchedule(text: string): ScheduleSegments {
  return text.split(';').map((segment) => {
    const words = segment
      .trim()
      .split(/\s+/)
      .filter((word) => word !== '');
    return words.map((word) => {
      const match = TOKEN.exec(word);
      if (match === null) {
        throw new ScheduleError(
          `malformed schedule "${text}": token "${word}" is neither <thread> nor <thread>@<point> (both positive integers)`,
        );
      }
      return { thread: Number(match[1]), point: match[2] === undefined ? 0 : Number(match[2]) };
    });
  });
}
