import { Piscina, type TaskQueue } from 'piscina';

/** A task as the pool's queue holds it (piscina's record, which exposes the task's queue options). */
export type QueuedTask = Parameters<TaskQueue['push']>[0];
type Task = QueuedTask;

/** What a task tells the queue (under piscina's queueOptionsSymbol): how large its exploration is. */
export interface QueueOptions {
  /** The exploration's size, as the number of work units its split gave: larger goes first. */
  readonly weight: number;
}

/** Marks a task for the pool's queue; the mark is a symbol-keyed property, which is not sent to the worker. */
export function weighted<T extends object>(task: T, weight: number): T & QueuedTask {
  const options: QueueOptions = { weight };
  return Object.assign(task, { [Piscina.queueOptionsSymbol]: options }) as T & QueuedTask;
}

function weightOf(task: Task): number {
  const options = task[Piscina.queueOptionsSymbol as keyof Task] as QueueOptions | null | undefined;
  return options?.weight ?? 0;
}

/**
 * A pool queue that hands out the tasks of the largest exploration waiting first (first come,
 * first served among equals). When several explorations share a pool (the whole catalogue at
 * once), their largest ones start first and the many small ones fill the end, so no worker
 * waits long for the last large task to finish. Order changes no result: units merge in unit
 * order whoever runs them when.
 */
export class HeaviestFirst implements TaskQueue {
  /** Waiting tasks per weight, and the weights present, descending. */
  private readonly byWeight = new Map<number, Task[]>();
  private weights: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(task: Task): void {
    const weight = weightOf(task);
    let tasks = this.byWeight.get(weight);
    if (tasks === undefined) {
      tasks = [];
      this.byWeight.set(weight, tasks);
      this.weights = [...this.weights, weight].sort((a, b) => b - a);
    }
    tasks.push(task);
    this.count++;
  }

  shift(): Task | null {
    for (const weight of this.weights) {
      const task = this.byWeight.get(weight)?.shift();
      if (task !== undefined) {
        this.count--;
        return task;
      }
    }
    return null;
  }

  remove(task: Task): void {
    const tasks = this.byWeight.get(weightOf(task));
    const index = tasks?.indexOf(task) ?? -1;
    if (tasks !== undefined && index >= 0) {
      tasks.splice(index, 1);
      this.count--;
    }
  }
}
