import type { Kernel, PreemptionPoint } from '@coupling-lab/kernel';
import { ANYTHING, Footprint, KeySpace } from './footprint.js';

/** A thread whose nesting here is redundant: exploring it earlier covered it, and nothing since touched what it does. */
export interface SleepEntry {
  readonly thread: number;
  readonly footprint: Footprint;
}

/** What the sleep sets need from the enumeration: per decision, the footprints of the nestings explored there. */
export interface SleepSource {
  /** Index of the decision `nest` just made. */
  lastDecision(): number;
  /** A nested step chosen at `decision` ran with this footprint (it may run again with others: the source keeps the union). */
  nestedFootprint(decision: number, thread: number, footprint: Footprint): void;
  /** `continue` was chosen at `decision`: the threads nested there before, with their footprints. */
  explored(decision: number): readonly SleepEntry[];
}

interface OpenNesting {
  readonly decision: number;
  readonly thread: number;
  readonly footprint: Footprint;
}

/**
 * Sleep sets (Godefroid 1996) for run-to-completion nesting. At a preemption point of a step
 * at depth d the explorer tries nesting each candidate's step (depth d+1), then continuing. Once
 * "nest u here" has been explored, "continue, then nest u at a later point of the same step" is
 * the same interleaving up to commuting independent segments, as long as everything that ran in
 * between (the step's own segments and whatever nested in them) is independent of everything
 * u's nested step did in any of its explored runs: the nested step is a whole block, moved to an
 * earlier slot at the same depth, with the same preemptions. So u sleeps in that step's frame
 * until a dependent segment runs; a sleeping thread is not offered at the frame's points.
 *
 * The footprint of a segment (the code of one thread between two preemption points) is every key
 * its step met so far (KeySpace), and a nesting's footprint is the union over all the runs of its
 * subtree; any change in who sleeps or is woken wakes every sleeper. The reduction therefore
 * never changes the preemption count or depth of a schedule it stands for, which is what keeps
 * it sound under the preemption bound (Coons, Musuvathi and McKinley, OOPSLA'13: POR breaks a
 * bound when the representative needs more preemptions than the schedule it replaces).
 */
export class Reduction {
  private readonly keys = new KeySpace();
  private readonly stepKeys: Footprint[] = [];
  /** Sleep entries per frame (per depth: the step running there). */
  private readonly frames: SleepEntry[][] = [];
  private readonly open: OpenNesting[] = [];
  private sleepState = 0;
  /** The kernel's wake_up calls when the last segment ended. */
  private wakeUps = 0;
  /** The top-level step running (its segments and every step nested in it) and the one before it. */
  private block = new Footprint();
  private previous = new Footprint();
  private blockThread = 0;
  private previousThread = 0;
  /** Changes in who sleeps seen so far this schedule, and their count when the previous block started. */
  private sleepChanges = 0;
  private blockStart = 0;
  private previousStart = 0;
  /** Whether the top-level step that just ended only repeats, swapped, an earlier-explored order (see blockEnded). */
  redundant = false;
  /** Deepest frame that may hold sleepers. */
  private top = 0;
  private source: SleepSource | null = null;

  constructor(threads: number) {
    for (let thread = 0; thread <= threads; thread++) this.stepKeys.push(new Footprint());
    // Nesting is at most one step per thread deep.
    for (let depth = 0; depth <= threads + 1; depth++) this.frames.push([]);
  }

  begin(source: SleepSource | null, kernel: Kernel): void {
    this.source = source;
    this.wakeUps = kernel.counters.wakeUps;
    for (const frame of this.frames) empty(frame);
    empty(this.open);
    this.sleepState = 0;
    this.top = 0;
    this.previousThread = 0;
    this.sleepChanges = 0;
    this.redundant = false;
  }

  get active(): boolean {
    return this.source !== null;
  }

  /**
   * The race is over: what runs after it (woken tasks finishing, the teardown) takes no decision,
   * so no sleep set or footprint can change what is explored any more.
   */
  finish(): void {
    this.source = null;
  }

  /** A thread starts a step (or the rest of a sleeping one) at `depth`: its frame starts empty. */
  stepStarted(thread: number, depth: number, resumed: boolean): void {
    if (!resumed) this.stepKeys[thread]?.clear();
    if (depth === 0) {
      this.block.clear();
      this.block.threads = 1 << thread;
      this.blockThread = thread;
      this.blockStart = this.sleepChanges;
    }
    const frame = this.frames[depth];
    if (frame !== undefined) empty(frame);
    this.top = depth;
  }

  /** The running thread reached a preemption point: the segment that ends here is an event. */
  point(kernel: Kernel, thread: number, point: PreemptionPoint, subject: string): void {
    const keys = this.stepKeys[thread];
    if (keys === undefined) return;
    this.keys.charge(keys, kernel, point, subject);
    this.event(kernel, thread, keys);
  }

  /** The running thread's step returned (or slept): its last segment is an event. */
  stepEnded(kernel: Kernel, thread: number, depth: number): void {
    const keys = this.stepKeys[thread];
    if (keys !== undefined) {
      // A step that met no preemption point still read state no key names (delete_module's
      // checks before its point, a device node that is not there): it commutes with nothing.
      if (keys.isEmpty()) keys.add(ANYTHING);
      this.event(kernel, thread, keys);
    }
    const frame = this.frames[depth];
    if (frame !== undefined) empty(frame);
    this.top = depth > 0 ? depth - 1 : 0;
    if (depth === 0) this.blockEnded();
  }

  /**
   * Top-level steps in the other order. Thread Y's top-level step (with whatever nested in it)
   * right after thread X's, X > Y: at the decision that chose X, Y was a candidate with a smaller
   * index, so "Y then X" was explored first, from the same state, with the same nestings inside
   * each (same preemptions, same depth). If the two blocks are independent (no shared thread or
   * key, no change in who sleeps) both orders reach the same state, and every schedule that
   * continues "X then Y" is one that continues "Y then X": the rest is redundant. The check that
   * runs between top-level steps saw the state after X in this schedule already (a violation
   * there would have ended it); every later check sees the same states as in the other order.
   * Like the frames' sleep sets, this only skips a schedule for one explored before it, so the
   * first violation in depth-first order is never skipped.
   */
  private blockEnded(): void {
    // Who sleeps changed from X's start to now (in a step, or in the check between): Y may not
    // have been a candidate when X was chosen.
    const settled = this.sleepChanges === this.previousStart;
    this.redundant =
      settled && this.previousThread > this.blockThread && !this.previous.dependent(this.block);
    const done = this.previous;
    this.previous = this.block;
    this.block = done;
    this.previousThread = this.blockThread;
    this.previousStart = this.blockStart;
  }

  /** Drops the candidates asleep in the frame at `depth` from `candidates[0..count)`; the new count. */
  filter(candidates: Int32Array, count: number, depth: number): number {
    const frame = this.frames[depth];
    if (frame === undefined || frame.length === 0) return count;
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const thread = candidates[i] ?? 0;
      if (!frame.some((entry) => entry.thread === thread)) candidates[kept++] = thread;
    }
    return kept;
  }

  /** `continue` was chosen at the point just decided, in the frame at `depth`. */
  continued(depth: number): void {
    const source = this.source;
    const frame = this.frames[depth];
    if (source === null || frame === undefined) return;
    for (const entry of source.explored(source.lastDecision())) frame.push(entry);
  }

  /** A nesting of `thread` was chosen at the point just decided. */
  nesting(thread: number): void {
    const source = this.source;
    if (source === null) return;
    const footprint = new Footprint();
    footprint.threads = 1 << thread;
    this.open.push({ decision: source.lastDecision(), thread, footprint });
  }

  /** The nesting opened last returned. */
  nested(): void {
    const open = this.open.pop();
    if (open !== undefined) this.source?.nestedFootprint(open.decision, open.thread, open.footprint);
  }

  /** The schedule ended inside nestings (pruned, or a violation): what they did so far still counts. */
  abandon(): void {
    while (this.open.length > 0) this.nested();
  }

  private event(kernel: Kernel, thread: number, keys: Footprint): void {
    const state = sleepState(kernel);
    const wakeUps = kernel.counters.wakeUps;
    if (state !== this.sleepState || wakeUps !== this.wakeUps) {
      // The segment slept, was taken off the sleepers, or called wake_up (whether or not that
      // woke anyone): it touched a wait queue, which no point names.
      if (state !== this.sleepState) this.sleepChanges++;
      this.sleepState = state;
      this.wakeUps = wakeUps;
      keys.add(this.keys.waitQueues);
    }
    const bit = 1 << thread;
    this.block.addAll(keys);
    this.block.threads |= bit;
    for (const open of this.open) {
      open.footprint.addAll(keys);
      open.footprint.threads |= bit;
    }
    for (let depth = 0; depth <= this.top; depth++) {
      const frame = this.frames[depth];
      if (frame === undefined || frame.length === 0) continue;
      let kept = 0;
      for (const entry of frame) if (!entry.footprint.conflicts(keys, thread)) frame[kept++] = entry;
      if (kept !== frame.length) frame.length = kept;
    }
  }
}

/** Empties `list`; writing an array's length is a runtime call even when it changes nothing. */
function empty(list: unknown[]): void {
  if (list.length !== 0) list.length = 0;
}

/** A number that changes whenever a thread falls asleep or is woken. */
function sleepState(kernel: Kernel): number {
  if (kernel.sleepingCount === 0) return 0;
  let state = kernel.sleepingCount;
  for (const sleeping of kernel.sleepingTasks())
    state = state * 31 + sleeping.task.thread * 2 + (sleeping.woken ? 1 : 0);
  return state;
}
