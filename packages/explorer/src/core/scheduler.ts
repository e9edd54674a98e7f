import {
  KernelViolation,
  Tracer,
  type Kernel,
  type Mutex,
  type PreemptionHook,
  type PreemptionPoint,
  type Scheduler,
  type Task,
} from '@coupling-lab/kernel';
import type { DecisionSource } from './decisions.js';
import { Reduction, type SleepSource } from './reduction.js';
import type { ScenarioCore } from './scenario.js';
import type { StateCache } from './state-cache.js';
import { formatSegment, type ScheduleToken } from './schedule-string.js';

/** How one schedule ended: ran to completion, was pruned as infeasible, or hit a violation. */
export type Outcome = 'complete' | 'pruned' | KernelViolation;

/**
 * A step as it ran: which thread, which of its steps, at what nesting depth (0 = top level).
 * `resumed` marks the rest of a step whose syscall slept and was woken.
 */
export interface ScheduledStep {
  readonly thread: number;
  readonly label: string;
  readonly depth: number;
  readonly resumed?: true;
}

/** For a deadlock: a thread that can never run again, and what it waits for. */
export interface WaitingThread {
  readonly thread: number;
  /** Its step that sleeps or blocks. */
  readonly label: string;
  /** A wait queue, or a mutex and the thread holding it. */
  readonly on: string;
}

/** Enough trace for the kernel's violation tail (40 steps) without growing for long schedules. */
const TRACE_LIMIT = 128;

/**
 * Thrown from `blocked`: a step would sleep on a lock a thread below it holds, which under
 * run-to-completion nesting means the branch is no real schedule. One instance, so throwing it
 * captures no stack.
 */
class Pruned extends Error {
  constructor() {
    super('explorer-internal signal: the schedule is infeasible (a step would block); it must not be caught');
    this.name = 'Pruned';
  }
}
const PRUNED = new Pruned();

interface Running<W> {
  readonly kernel: Kernel;
  readonly world: W;
  readonly source: DecisionSource;
}

/**
 * Executes one schedule at a time on a freshly booted kernel. It is the kernel's preemption hook
 * and scheduler while it runs: at each preemption point it asks the decision source whether to
 * run another thread's next whole step right there (nesting). All per-schedule bookkeeping lives
 * in arrays reused across schedules, so the hot path allocates only the trace entries.
 */
export class ScheduleRunner<W> implements Scheduler {
  readonly tracer = new Tracer(TRACE_LIMIT);
  /** Nested steps the last schedule took (its preemptions). */
  preemptions = 0;
  /** Deepest nesting the last schedule reached. */
  deepest = 0;
  /** Whether the last schedule passed a point where only the preemption budget stopped a nesting. */
  saturated = false;
  /** For a pruned schedule: the lock its step would have slept on. */
  blockedOn = '';
  /** For a schedule that ended in a deadlock: who waits for what. */
  waiting: readonly WaitingThread[] = [];

  private readonly threadCount: number;
  private readonly lengths: Int32Array;
  private readonly next: Int32Array;
  private readonly active: Uint8Array;
  private readonly candidates: Int32Array;
  private readonly hook: PreemptionHook = (point, subject) => this.preemptionPoint(point, subject);
  private readonly logThread: number[] = [];
  private readonly logPoint: number[] = [];
  private readonly logDepth: number[] = [];
  private readonly logResumed: boolean[] = [];
  private logLength = 0;

  /** Sleep sets, active for a schedule run with a SleepSource (the exhaustive phase with POR on). */
  private readonly reduction: Reduction;
  private running: Running<W> | null = null;
  /** State caching between top-level steps, for a schedule run with one (the exhaustive phase with POR on). */
  private cache: StateCache<W> | null = null;
  /** The explorer's objects the kernel points at while a schedule runs: not part of its state. */
  private readonly own: readonly object[] = [this.tracer, this, this.hook];
  /** The step log's length and the preemption points met at the last top-level state. */
  private boundaryLog = 0;
  private boundaryPoints = 0;
  private preemptible = false;
  private depth = 0;
  private maxDepth = 0;
  private budget = 0;
  private points = 0;
  private pruneSignalled = false;

  constructor(private readonly scenario: ScenarioCore<W>) {
    this.threadCount = scenario.threads.length;
    this.lengths = new Int32Array(this.threadCount + 1);
    scenario.threads.forEach((steps, index) => (this.lengths[index + 1] = steps.length));
    this.next = new Int32Array(this.threadCount + 1);
    this.active = new Uint8Array(this.threadCount + 1);
    this.candidates = new Int32Array(this.threadCount);
    this.reduction = new Reduction(this.threadCount);
  }

  /** Runs every thread's steps to the end under `source`'s decisions, then the scenario's teardown. */
  run(
    kernel: Kernel,
    world: W,
    source: DecisionSource,
    maxDepth: number,
    budget: number,
    sleep: SleepSource | null = null,
    cache: StateCache<W> | null = null,
  ): Outcome {
    const atBoot = kernel.violations[0];
    if (atBoot !== undefined) {
      throw new Error(`scenario ${this.scenario.name}: the target's boot already recorded ${atBoot.message}`);
    }
    this.next.fill(0);
    this.active.fill(0);
    this.tracer.clear();
    this.logLength = 0;
    this.points = 0;
    this.preemptions = 0;
    this.deepest = 0;
    this.depth = 0;
    this.saturated = false;
    this.pruneSignalled = false;
    this.blockedOn = '';
    this.waiting = [];
    this.maxDepth = maxDepth;
    this.budget = budget;
    const running = { kernel, world, source };
    this.running = running;
    source.begin();
    this.reduction.begin(sleep, kernel);
    this.cache = cache;
    cache?.begin();
    this.boundaryLog = 0;
    this.boundaryPoints = 0;
    kernel.tracer = this.tracer;
    kernel.hook = this.hook;
    kernel.scheduler = this;
    try {
      const outcome = this.schedule(running);
      if (outcome instanceof KernelViolation && outcome.kind === 'deadlock' && this.waiting.length === 0)
        this.waiting = this.sleepers(kernel);
      return outcome;
    } catch (error) {
      this.reduction.abandon();
      // Whatever a step raises while unwinding from the pruning signal belongs to no real schedule.
      if (this.pruneSignalled && (error === PRUNED || error instanceof KernelViolation)) return 'pruned';
      if (error instanceof KernelViolation) {
        const first = kernel.violations[0] ?? error;
        if (first.kind === 'deadlock' && this.waiting.length === 0) this.waiting = this.sleepers(kernel);
        return first;
      }
      throw error;
    } finally {
      // The schedule's kernel is discarded; detach so nothing it does later reaches the next schedule.
      kernel.tracer = undefined;
      kernel.hook = undefined;
      kernel.scheduler = undefined;
      this.preemptible = false;
      this.running = null;
      this.cache = null;
    }
  }

  /**
   * Kernel callback: the current step would sleep on `mutex`, which `holder` holds. Run-to-completion
   * nesting cannot suspend a step at a mutex, so the branch is dropped (the same interleaving is
   * explored with the step placed before the lock is taken or after it is released), unless
   * nothing else could ever run: a top-level step waiting for a lock a sleeping thread holds,
   * with every other thread finished or asleep, is a deadlock.
   */
  blocked(mutex: Mutex, holder: Task): never {
    const running = this.running;
    const thread = running?.kernel.currentThread ?? 0;
    if (running !== null && this.depth === 0 && this.active[holder.thread] === 0 && this.collect() === 0) {
      const kernel = running.kernel;
      const label = this.labelOf(thread, (this.next[thread] ?? 1) - 1);
      this.waiting = [
        { thread, label, on: `${mutex.lockClass}, held by thread ${holder.thread}` },
        ...this.sleepers(kernel),
      ];
      const report = {
        kind: 'deadlock' as const,
        module: mutex.module,
        object: mutex.lockClass,
        message: `no thread can run: ${this.waiting.map((waiting) => `thread ${waiting.thread} waits for ${waiting.on}`).join('; ')}`,
        trace: kernel.tracer?.tail(40) ?? [],
      };
      const error = new KernelViolation(report);
      kernel.violations.push(error);
      throw error;
    }
    this.pruneSignalled = true;
    this.blockedOn = `${mutex.lockClass} held by thread ${holder.thread}`;
    throw PRUNED;
  }

  /** The last schedule's step starts, as schedule-string tokens. */
  tokens(): ScheduleToken[] {
    const tokens: ScheduleToken[] = [];
    for (let i = 0; i < this.logLength; i++)
      tokens.push({ thread: this.logThread[i] ?? 0, point: this.logPoint[i] ?? 0 });
    return tokens;
  }

  scheduleText(): string {
    return formatSegment(this.tokens());
  }

  /** The last schedule's steps in the order they started. */
  steps(): ScheduledStep[] {
    const taken = new Int32Array(this.threadCount + 1);
    const steps: ScheduledStep[] = [];
    for (let i = 0; i < this.logLength; i++) {
      const thread = this.logThread[i] ?? 0;
      const resumed = this.logResumed[i] === true;
      const index = (taken[thread] ?? 0) - (resumed ? 1 : 0);
      if (!resumed) taken[thread] = index + 1;
      steps.push({
        thread,
        label: this.labelOf(thread, index),
        depth: this.logDepth[i] ?? 0,
        ...(resumed ? { resumed: true as const } : {}),
      });
    }
    return steps;
  }

  private schedule(running: Running<W>): Outcome {
    const { kernel, world, source } = running;
    for (;;) {
      const count = this.collect();
      if (count === 0) break;
      this.preemptible = true;
      this.runStep(running, this.candidates[source.top(this.candidates, count)] ?? 0, 0, 0);
      this.preemptible = false;
      this.scenario.check?.(world, kernel);
      this.assertPruneNotSwallowed();
      // A violation a step caught and dropped (or one recorded in 'record' mode) still ends the schedule.
      const first = kernel.violations[0];
      if (first !== undefined) return first;
      // The reduction saw this step and the one before it swapped from an order explored earlier (reduction.ts).
      if (this.reduction.active && this.reduction.redundant) return 'pruned';
      // Every schedule continuing from this state was explored already (state-cache.ts).
      if (this.cache?.explored(world, this.next, this.preemptions, this.own, this.lastStep(kernel)) === true)
        return 'pruned';
      this.boundaryLog = this.logLength;
      this.boundaryPoints = this.points;
    }
    // Every thread is done or asleep. The teardown runs as plain syscalls: with the scheduler
    // detached, woken tasks run on their own (processes exiting may wake the sleepers).
    kernel.scheduler = undefined;
    this.reduction.finish();
    kernel.runWoken();
    this.scenario.teardown(world, kernel);
    this.assertPruneNotSwallowed();
    const stuck = kernel.sleepingTasks();
    if (kernel.violations.length === 0 && stuck.length > 0) {
      this.waiting = this.sleepers(kernel);
      kernel.violation(
        'deadlock',
        `no thread can run after the teardown: ${this.waiting.map((waiting) => `thread ${waiting.thread} sleeps on ${waiting.on}`).join('; ')}`,
        { object: stuck[0]?.sleep.wq.name ?? '' },
      );
    }
    return kernel.violations[0] ?? 'complete';
  }

  /** Runs thread `thread`'s next step, or the rest of its sleeping one if it has been woken. */
  private runStep(running: Running<W>, thread: number, point: number, depth: number): void {
    const kernel = running.kernel;
    const sleeping = kernel.sleepingCount === 0 ? undefined : kernel.sleeperOf(thread);
    const index = this.next[thread] ?? 0;
    const step = sleeping === undefined ? this.scenario.threads[thread - 1]?.[index] : undefined;
    if (sleeping === undefined) {
      if (step === undefined) throw new Error(`explorer: thread ${thread} has no step ${index + 1}`);
      this.next[thread] = index + 1;
    }
    this.active[thread] = 1;
    const entry = this.logLength++;
    this.logThread[entry] = thread;
    this.logPoint[entry] = point;
    this.logDepth[entry] = depth;
    this.logResumed[entry] = sleeping !== undefined;
    if (depth > this.deepest) this.deepest = depth;
    const outerThread = kernel.currentThread;
    const outerDepth = this.depth;
    kernel.currentThread = thread;
    this.depth = depth;
    const reduction = this.reduction;
    if (reduction.active) reduction.stepStarted(thread, depth, sleeping !== undefined);
    if (sleeping !== undefined) kernel.resume(sleeping);
    else step?.run(running.world);
    if (reduction.active) reduction.stepEnded(kernel, thread, depth);
    const cache = this.cache;
    if (cache !== null && kernel.sleepingCount > 0) {
      const asleep = kernel.sleeperOf(thread);
      if (asleep !== undefined) cache.asleep(asleep.sleep, this.stepStartsSinceBoundary());
    }
    kernel.currentThread = outerThread;
    this.depth = outerDepth;
    this.active[thread] = 0;
  }

  private preemptionPoint(point: PreemptionPoint, subject: string): void {
    const running = this.running;
    if (running === null) return;
    const ordinal = ++this.points;
    const kernel = running.kernel;
    this.tracer.note(kernel.currentThread, point, subject);
    const reduction = this.reduction;
    if (reduction.active) reduction.point(kernel, kernel.currentThread, point, subject);
    if (!this.preemptible || this.depth >= this.maxDepth) return;
    let count = this.collect();
    if (count === 0) return;
    if (this.preemptions >= this.budget) {
      this.saturated = true;
      return;
    }
    if (reduction.active) {
      count = reduction.filter(this.candidates, count, this.depth);
      if (count === 0) return;
    }
    const index = running.source.nest(this.candidates, count, ordinal, kernel.currentThread);
    if (index < 0) {
      if (reduction.active) reduction.continued(this.depth);
      return;
    }
    this.preemptions++;
    const thread = this.candidates[index] ?? 0;
    if (reduction.active) reduction.nesting(thread);
    this.runStep(running, thread, ordinal, this.depth + 1);
    if (reduction.active) reduction.nested();
  }

  /**
   * Fills `candidates` with the threads that can run now: not mid-step below us, and either
   * asleep and woken (to resume) or awake with steps left. A thread asleep and not woken cannot run.
   */
  private collect(): number {
    const kernel = this.running?.kernel;
    const anyAsleep = kernel !== undefined && kernel.sleepingCount > 0;
    let count = 0;
    for (let thread = 1; thread <= this.threadCount; thread++) {
      if (this.active[thread] !== 0) continue;
      const sleeping = anyAsleep ? kernel.sleeperOf(thread) : undefined;
      const runnable =
        sleeping === undefined ? (this.next[thread] ?? 0) < (this.lengths[thread] ?? 0) : sleeping.woken;
      if (runnable) this.candidates[count++] = thread;
    }
    return count;
  }

  /** Whether at most one step is left and nobody sleeps: one schedule continues from here. */
  private lastStep(kernel: Kernel): boolean {
    if (kernel.sleepingCount > 0) return false;
    let left = 0;
    for (let thread = 1; thread <= this.threadCount; thread++)
      left += (this.lengths[thread] ?? 0) - (this.next[thread] ?? 0);
    return left <= 1;
  }

  /** The step starts since the last top-level state, their points counted from there: what ran since. */
  private stepStartsSinceBoundary(): string {
    let starts = '';
    for (let i = this.boundaryLog; i < this.logLength; i++) {
      const point = this.logPoint[i] ?? 0;
      starts += ` ${this.logThread[i] ?? 0}@${point === 0 ? 0 : point - this.boundaryPoints}`;
    }
    return starts;
  }

  /** The threads asleep in a syscall, and on what. */
  private sleepers(kernel: Kernel): WaitingThread[] {
    return kernel.sleepingTasks().map((sleeping) => {
      const thread = sleeping.task.thread;
      return {
        thread,
        label: this.labelOf(thread, (this.next[thread] ?? 1) - 1),
        on: `${sleeping.sleep.wq.name} (in ${sleeping.syscall})`,
      };
    });
  }

  private labelOf(thread: number, index: number): string {
    return this.scenario.threads[thread - 1]?.[index]?.label ?? '?';
  }

  private assertPruneNotSwallowed(): void {
    if (this.pruneSignalled) {
      throw new Error(
        `scenario ${this.scenario.name}: a step caught the explorer's pruning signal (a step would block on ${this.blockedOn}) ` +
          'and carried on; steps must let errors they do not own propagate',
      );
    }
  }
}
