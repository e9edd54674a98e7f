import type { Kernel } from './kernel.js';
import { Process } from './process.js';

/** The processes that have not been reaped yet, and the pid the next one gets. */
export class TaskList {
  private readonly processes = new Set<Process>();
  private nextPid = 1;

  constructor(private readonly kernel: Kernel) {}

  spawn(name: string): Process {
    const process = new Process(this.kernel, this.nextPid++, name);
    this.processes.add(process);
    return process;
  }

  livingProcesses(): Process[] {
    return [...this.processes];
  }

  /** do_exit's end: the process is gone from the task list. */
  reap(process: Process): void {
    this.processes.delete(process);
  }
}
