import type { TraceStep } from '@coupling-lab/kernel';
import type { ViolationVerdict } from '../core/index.js';
import { parseSchedule } from '../core/index.js';
import type { FaultSite } from './fault-site.js';
import { replayCommand } from './replay-command.js';
import { bugTitle } from './titles.js';

/** One edge of lockdep's circular dependency: `taken` was taken while `held` was held, first in `schedule`. */
export interface ChainEdge {
  readonly held: string;
  readonly taken: string;
  readonly schedule: string;
}

/** For a deadlock: thread `thread`, in its step `label`, waits for `on`. */
export interface Waiter {
  readonly thread: number;
  readonly label: string;
  readonly on: string;
}

/**
 * What the renderer reads from a violation verdict. Any `ViolationVerdict` is one; `chain` (the
 * edge that closed the cycle last) and `waiting` are read when the verdict carries them, and a
 * `deadlock` kind is rendered as such.
 */
export type ReportableVerdict = Omit<ViolationVerdict, 'kind'> & {
  readonly kind: ViolationVerdict['kind'] | 'deadlock';
  readonly chain?: readonly ChainEdge[];
  readonly waiting?: readonly Waiter[];
};

/** One step of the interleaving, numbered from 1 in the order steps started. */
export interface ReportStep {
  readonly index: number;
  readonly thread: number;
  readonly label: string;
  /** 0 at top level; n when it ran nested n deep inside other threads' steps. */
  readonly depth: number;
  /** A nested step is the race: it ran inside step `inside`, at preemption point `point`. */
  readonly preempted?: {
    readonly inside: number;
    readonly point: number;
    /** The kernel primitive at that point (`unlock kvm_vfio.lock`), when the trace reaches back to it. */
    readonly primitive?: string;
  };
  /** The violation was raised while this step ran. */
  readonly faulted?: true;
}

export interface ReportThread {
  readonly thread: number;
  /** A, B, C: how the interleaving heads its columns. */
  readonly letter: string;
  readonly name?: string;
}

/**
 * A violation as kernel engineers read one (KASAN's, kmemleak's or lockdep's block): what and
 * where, who faulted, the interleaving, the tail of the primitive trace and the command that
 * replays it. Plain data: `--json` prints it as is, and the text and HTML renderers read it.
 */
export interface BugReport {
  /** e.g. 'BUG: use-after-free of kvm_vfio_group'. */
  readonly title: string;
  readonly kind: ReportableVerdict['kind'];
  readonly message: string;
  readonly module?: string;
  readonly object?: string;
  readonly scenario?: string;
  readonly strategy?: string;
  /** Where the violation was raised: in a step (and whose), in the check between steps, or at teardown. */
  readonly fault?: FaultSite;
  readonly threads: readonly ReportThread[];
  readonly steps: readonly ReportStep[];
  /** The last kernel primitives before the fault, oldest first. */
  readonly trace: readonly TraceStep[];
  /** How many primitives the trace held in all (the kernel keeps at most its last 40). */
  readonly traceLength: number;
  readonly schedule: string;
  readonly preemptions: number;
  /** The paste-ready command that re-runs the schedule, when the scenario and strategy are known. */
  readonly replay?: string;
  readonly chain?: readonly ChainEdge[];
  readonly waiting?: readonly Waiter[];
}

export interface BugContext {
  readonly scenario?: string;
  readonly strategy?: string;
  /** The kernel the verdict was found on, for the replay command (default v5.17). */
  readonly linux?: string;
  /** What each thread is ('QEMU', 'admin shell'), in thread order. */
  readonly threadNames?: readonly string[];
  readonly fault?: FaultSite;
  /** Trace steps to keep (default 12). */
  readonly traceTail?: number;
}

/** Kernel.violation keeps the last 40 trace steps: only a shorter trace is known to start at point 1. */
const KERNEL_TRACE_TAIL = 40;

/** The kernel primitive at preemption point `point` (counted from 1 across the schedule), when the trace reaches back to it. */
function primitiveAt(trace: readonly TraceStep[], point: number): string | undefined {
  if (trace.length >= KERNEL_TRACE_TAIL) return undefined;
  const step = trace.filter((entry) => entry.point !== 'syscall')[point - 1];
  return step === undefined ? undefined : `${step.point} ${step.subject}`;
}

/** The step (numbered from 1) that a nested step at `index` ran inside: the latest earlier one a level up. */
function outerStep(verdict: ReportableVerdict, index: number): number {
  const depth = verdict.steps[index]?.depth ?? 0;
  let outer = index - 1;
  while (outer > 0 && (verdict.steps[outer]?.depth ?? 0) !== depth - 1) outer -= 1;
  return outer + 1;
}

function reportSteps(verdict: ReportableVerdict, fault: FaultSite | undefined): ReportStep[] {
  // A schedule's last segment is the run that faulted (earlier ones only rebuild lockdep's graph).
  const segments = parseSchedule(verdict.schedule);
  const tokens = segments[segments.length - 1] ?? [];
  return verdict.steps.map((step, offset) => {
    const index = offset + 1;
    const point = tokens[offset]?.point ?? 0;
    const primitive = point > 0 ? primitiveAt(verdict.trace, point) : undefined;
    return {
      index,
      thread: step.thread,
      label: step.label,
      depth: step.depth,
      ...(step.depth > 0 && point > 0
        ? {
            preempted: {
              inside: outerStep(verdict, offset),
              point,
              ...(primitive === undefined ? {} : { primitive }),
            },
          }
        : {}),
      ...(fault?.in === 'step' && fault.step === index ? { faulted: true as const } : {}),
    };
  });
}

/** The structured report of one violation verdict; `context` adds what the verdict cannot know. */
export function bugReport(verdict: ReportableVerdict, context: BugContext = {}): BugReport {
  const threadCount = Math.max(0, ...verdict.steps.map((step) => step.thread));
  const threads = Array.from({ length: threadCount }, (_, index): ReportThread => {
    const name = context.threadNames?.[index];
    return {
      thread: index + 1,
      letter: String.fromCharCode(65 + index),
      ...(name === undefined ? {} : { name }),
    };
  });
  const tail = context.traceTail ?? 12;
  const replay =
    context.scenario === undefined || context.strategy === undefined
      ? undefined
      : replayCommand(context.scenario, context.strategy, verdict.schedule, context.linux);
  return {
    title: bugTitle(verdict.kind, verdict.object),
    kind: verdict.kind,
    message: verdict.message,
    ...(verdict.module === undefined ? {} : { module: verdict.module }),
    ...(verdict.object === undefined ? {} : { object: verdict.object }),
    ...(context.scenario === undefined ? {} : { scenario: context.scenario }),
    ...(context.strategy === undefined ? {} : { strategy: context.strategy }),
    ...(context.fault === undefined ? {} : { fault: context.fault }),
    threads,
    steps: reportSteps(verdict, context.fault),
    trace: tail > 0 ? verdict.trace.slice(-tail) : [],
    traceLength: verdict.trace.length,
    schedule: verdict.schedule,
    preemptions: verdict.preemptions,
    ...(replay === undefined ? {} : { replay }),
    ...(verdict.chain === undefined ? {} : { chain: verdict.chain }),
    ...(verdict.waiting === undefined ? {} : { waiting: verdict.waiting }),
  };
}
