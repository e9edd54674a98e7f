import { Piscina, type TaskQueue } from 'piscina';

/** A task as the pool's queue holds it (piscina's record, which exposes the task's queue options). */
export type QueuedTask = Parameters<TaskQueue['push']>[0];
type Task = QueuedTask;

/** What a task tells the queue (under piscina's queueOptionsSymbol): whose it is, and how large. */
export interface QueueOptions {
  /**
   * The exploration's size, as the number of work units its split gave: larger goes first. A
   * split task weighs Infinity: no unit of its exploration exists before it is done.
   */
  readonly weight: number;
  /** The target it explores (scenario, strategy, kernel): the world a worker builds and keeps for it. */
  readonly target: string;
}

/** Marks a task for the pool's queue; the mark is a symbol-keyed property, which is not sent to the worker. */
export function weighted<T extends object>(task: T, weight: number, target: string): T & QueuedTask {
  const options: QueueOptions = { weight, target };
  return Object.assign(task, { [Piscina.queueOptionsSymbol]: options }) as T & QueuedTask;
}

function optionsOf(task: Task): QueueOptions {
  const options = task[Piscina.queueOptionsSymbol as keyof Task] as QueueOptions | null | undefined;
  return options ?? { weight: 0, target: '' };
}

/** The waiting tasks of one target. */
interface Waiting {
  readonly target: string;
  readonly weight: number;
  readonly tasks: Task[];
}

/**
 * A pool queue that hands out the tasks of the largest exploration waiting first (first come,
 * first served among equals), and keeps handing out one target's tasks until none is left. When
 * several explorations share a pool (the whole catalogue at once), their largest ones start
 * first and the many small ones fill the end, so no worker waits long for the last large task to
 * finish. Staying on one target keeps the Map and Set tables of the world a worker restores for
 * it young, replaced before a young collection sees them twice: a world left idle while the
 * worker serves other targets is promoted, and from then on V8 allocates those tables in the old
 * generation, where each schedule's garbage stays reachable from obsolete tables until a full
 * collection (lab's checkpoint.ts).
 * Order changes no result: units merge in unit order whoever runs them when.
 */
export class HeaviestFirst implements TaskQueue {
  /** Targets with tasks waiting, heaviest first, in order of arrival among equals. */
  private readonly waiting: Waiting[] = [];
  /** The target whose task was handed out last. */
  private current: Waiting | undefined;
  /** The task handed out last: piscina pushes it back when no worker is free to take it. */
  private shifted: Task | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(task: Task): void {
    const current = this.current;
    if (task === this.shifted && current !== undefined) {
      // Pushed back, not new: first again, as if it had never left.
      this.shifted = undefined;
      if (current.tasks.length === 0) this.waiting.unshift(current);
      current.tasks.unshift(task);
      this.count++;
      return;
    }
    const { weight, target } = optionsOf(task);
    let waiting = this.waiting.find((entry) => entry.target === target && entry.weight === weight);
    if (waiting === undefined) {
      waiting = { target, weight, tasks: [] };
      const after = this.waiting.findIndex((entry) => entry.weight < weight);
      this.waiting.splice(after === -1 ? this.waiting.length : after, 0, waiting);
    }
    waiting.tasks.push(task);
    this.count++;
  }

  shift(): Task | null {
    const current = this.current;
    const waiting = current !== undefined && current.tasks.length > 0 ? current : this.waiting[0];
    const task = waiting?.tasks.shift();
    if (waiting === undefined || task === undefined) return null;
    this.current = waiting;
    this.shifted = task;
    this.count--;
    if (waiting.tasks.length === 0) this.forget(waiting);
    return task;
  }

  remove(task: Task): void {
    const waiting = this.waiting.find((entry) => entry.tasks.includes(task));
    if (waiting === undefined) return;
    waiting.tasks.splice(waiting.tasks.indexOf(task), 1);
    this.count--;
    if (waiting.tasks.length === 0) this.forget(waiting);
  }

  private forget(waiting: Waiting): void {
    this.waiting.splice(this.waiting.indexOf(waiting), 1);
  }
}
