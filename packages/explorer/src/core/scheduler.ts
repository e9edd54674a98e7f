import {
  KernelViolation,
  Tracer,
  type Kernel,
  type PreemptionHook,
  type PreemptionPoint,
  type Scheduler,
} from '@coupling-lab/kernel';
import type { DecisionSource } from './decisions.js';
import type { ScenarioCore } from './scenario.js';
import { formatSegment, type ScheduleToken } from './schedule-string.js';

/** How one schedule ended: ran to completion, was pruned as infeasible, or hit a violation. */
export type Outcome = 'complete' | 'pruned' | KernelViolation;

/** A step as it ran: which thread, which of its steps, at what nesting depth (0 = top level). */
export interface ScheduledStep {
  readonly thread: number;
  readonly label: string;
  readonly depth: number;
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

  private readonly threadCount: number;
  private readonly lengths: Int32Array;
  private readonly next: Int32Array;
  private readonly active: Uint8Array;
  private readonly candidates: Int32Array;
  private readonly hook: PreemptionHook = (point, subject) => this.preemptionPoint(point, subject);
  private readonly logThread: number[] = [];
  private readonly logPoint: number[] = [];
  private readonly logDepth: number[] = [];
  private logLength = 0;

  private running: Running<W> | null = null;
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
  }

  /** Runs every thread's steps to the end under `source`'s decisions, then the scenario's teardown. */
  run(kernel: Kernel, world: W, source: DecisionSource, maxDepth: number, budget: number): Outcome {
    const atBoot = kernel.violations[0];
    if (atBoot !== undefined) {
      throw new Error(`scenario ${this.scenario.name}: the target's boot already recorded ${atBoot.message}`);
    }
    this.next.fill(0);
    this.active.fill(0);
    this.tracer.steps.length = 0;
    this.logLength = 0;
    this.points = 0;
    this.preemptions = 0;
    this.deepest = 0;
    this.depth = 0;
    this.saturated = false;
    this.pruneSignalled = false;
    this.blockedOn = '';
    this.maxDepth = maxDepth;
    this.budget = budget;
    const running = { kernel, world, source };
    this.running = running;
    source.begin();
    kernel.tracer = this.tracer;
    kernel.hook = this.hook;
    kernel.scheduler = this;
    try {
      return this.schedule(running);
    } catch (error) {
      // Whatever a step raises while unwinding from the pruning signal belongs to no real schedule.
      if (this.pruneSignalled && (error === PRUNED || error instanceof KernelViolation)) return 'pruned';
      if (error instanceof KernelViolation) return kernel.violations[0] ?? error;
      throw error;
    } finally {
      // The schedule's kernel is discarded; detach so nothing it does later reaches the next schedule.
      kernel.tracer = undefined;
      kernel.hook = undefined;
      kernel.scheduler = undefined;
      this.preemptible = false;
      this.running = null;
    }
  }

  /** Kernel callback: the current step would sleep on `lockClass`; the model never sleeps, so the branch is dropped. */
  blocked(lockClass: string, holder: number): never {
    this.pruneSignalled = true;
    this.blockedOn = `${lockClass} held by thread ${holder}`;
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
      const index = taken[thread] ?? 0;
      taken[thread] = index + 1;
      steps.push({
        thread,
        label: this.scenario.threads[thread - 1]?.[index]?.label ?? '?',
        depth: this.logDepth[i] ?? 0,
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
    }
    this.scenario.teardown(world, kernel);
    this.assertPruneNotSwallowed();
    return kernel.violations[0] ?? 'complete';
  }

  private runStep(running: Running<W>, thread: number, point: number, depth: number): void {
    const index = this.next[thread] ?? 0;
    const step = this.scenario.threads[thread - 1]?.[index];
    if (step === undefined) throw new Error(`explorer: thread ${thread} has no step ${index + 1}`);
    this.next[thread] = index + 1;
    this.active[thread] = 1;
    const entry = this.logLength++;
    this.logThread[entry] = thread;
    this.logPoint[entry] = point;
    this.logDepth[entry] = depth;
    if (depth > this.deepest) this.deepest = depth;
    const kernel = running.kernel;
    const outerThread = kernel.currentThread;
    const outerDepth = this.depth;
    kernel.currentThread = thread;
    this.depth = depth;
    step.run(running.world);
    kernel.currentThread = outerThread;
    this.depth = outerDepth;
    this.active[thread] = 0;
  }

  private preemptionPoint(point: PreemptionPoint, subject: string): void {
    const running = this.running;
    if (running === null) return;
    const ordinal = ++this.points;
    this.tracer.record({ thread: running.kernel.currentThread, point, subject });
    if (!this.preemptible || this.depth >= this.maxDepth) return;
    const count = this.collect();
    if (count === 0) return;
    if (this.preemptions >= this.budget) {
      this.saturated = true;
      return;
    }
    const index = running.source.nest(this.candidates, count, ordinal);
    if (index < 0) return;
    this.preemptions++;
    this.runStep(running, this.candidates[index] ?? 0, ordinal, this.depth + 1);
  }

  /** Fills `candidates` with the threads that can start a step now: steps left and not mid-step below us. */
  private collect(): number {
    let count = 0;
    for (let thread = 1; thread <= this.threadCount; thread++) {
      if ((this.next[thread] ?? 0) < (this.lengths[thread] ?? 0) && this.active[thread] === 0) {
        this.candidates[count++] = thread;
      }
    }
    return count;
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
