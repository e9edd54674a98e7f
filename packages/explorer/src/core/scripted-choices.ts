import type { DecisionSource } from './decisions.js';
import { formatSegment, type ScheduleToken } from './schedule-string.js';
import { ScheduleError } from './schedule-error.js';

/** The decisions of one schedule string segment; any disagreement with the run is an Error, never a silent drift. */
export class ScriptedChoices implements DecisionSource {
  private cursor = 0;

  constructor(
    private readonly tokens: readonly ScheduleToken[],
    private readonly schedule: string,
  ) {}

  begin(): void {
    this.cursor = 0;
  }

  top(candidates: Int32Array, count: number): number {
    const token = this.tokens[this.cursor];
    if (token === undefined) {
      throw this.mismatch(`it ends while thread(s) ${listed(candidates, count)} still have steps to run`);
    }
    if (token.point !== 0) {
      throw this.mismatch(
        `token ${this.cursor + 1} ("${formatSegment([token])}") names a preemption point the run passed without stopping`,
      );
    }
    return this.take(token, candidates, count);
  }

  nest(candidates: Int32Array, count: number, point: number): number {
    const token = this.tokens[this.cursor];
    if (token === undefined || token.point === 0 || token.point > point) return -1;
    if (token.point < point) {
      throw this.mismatch(
        `token ${this.cursor + 1} ("${formatSegment([token])}") names a preemption point the run passed without stopping`,
      );
    }
    return this.take(token, candidates, count);
  }

  /** After the run: every token must have been used. */
  finish(): void {
    if (this.cursor < this.tokens.length) {
      throw this.mismatch(`the run ended after ${this.cursor} of its ${this.tokens.length} steps`);
    }
  }

  private take(token: ScheduleToken, candidates: Int32Array, count: number): number {
    for (let i = 0; i < count; i++) {
      if (candidates[i] === token.thread) {
        this.cursor++;
        return i;
      }
    }
    throw this.mismatch(
      `token ${this.cursor + 1} ("${formatSegment([token])}") runs thread ${token.thread}, but only thread(s) ` +
        `${listed(candidates, count)} can start a step there (a thread mid-step or out of steps cannot)`,
    );
  }

  private mismatch(reason: string): Error {
    return new ScheduleError(`schedule "${this.schedule}" does not match the scenario: ${reason}`);
  }
}

function listed(candidates: Int32Array, count: number): string {
  return count === 0 ? 'none' : Array.from(candidates.subarray(0, count)).join(', ');
}
