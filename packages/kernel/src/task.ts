import type { Mutex } from './mutex.js';

/** A callback queued with task_work_add, run when the task returns to user mode. */
export type TaskWork = () => void;

/**
 * The parts of `struct task_struct` the model needs: who it is (for lockdep's held locks and
 * for the explorer, which thread runs it) and its pending task work [kernel/task_work.c].
 * A process's syscalls on one explorer thread run as one task; a module syscall from the
 * System (insmod, rmmod) runs as a task of its own, so that it can sleep on its own.
 */
export class Task {
  /** lockdep's held_locks: the mutexes this task holds, innermost last. */
  readonly held: Mutex[] = [];
  /** task->task_works, newest first as task_work_add pushes them; null when empty. */
  works: TaskWork[] | null = null;

  constructor(
    readonly name: string,
    /** The explorer thread that runs this task; 0 outside the explorer. */
    readonly thread: number,
  ) {}

  /** task_work_add(task, work, TWA_RESUME): pushed at the head of the list. */
  addWork(work: TaskWork): void {
    if (this.works === null) this.works = [work];
    else this.works.push(work);
  }

  /**
   * task_work_run: takes the whole list and runs it newest first (task_work_add pushes at the
   * head and task_work_run walks from it); work queued meanwhile is taken by the next round.
   */
  runWorks(): void {
    for (let works = this.works; works !== null; works = this.works) {
      this.works = null;
      for (let i = works.length - 1; i >= 0; i--) (works[i] as TaskWork)();
    }
  }
}
