import { errno } from './errno.js';
import type { File, IoctlArg } from './file.js';
import type { Kernel } from './kernel.js';
import { Task } from './task.js';
import { UserMemory } from './user-memory.js';

/** fds 0-2 are the unmodelled stdio; the first file a process opens gets fd 3. */
const FIRST_FD = 3;
/** RLIMIT_NOFILE's usual soft limit. */
const MAX_FDS = 1024;

/**
 * A user process: an fd table and a little user memory. Every syscall returns a non-negative
 * result or a negative errno, like the raw syscall ABI, and runs as the process's task on the
 * calling explorer thread: task work queued during it (a deferred fput) runs on its way back to
 * user mode. A process that has exited makes no more syscalls (-ESRCH).
 */
export class Process {
  readonly fds = new Map<number, File>();
  /** `fds` as the kernel's fdtable is, an array indexed by fd: fdget on every ioctl reads this. */
  private readonly fdtable: (File | undefined)[] = [];
  readonly memory = new UserMemory();
  exited = false;
  /** The process's task on each explorer thread; thread 0 (outside the explorer) is its main task. */
  private readonly threadTasks: Task[];

  constructor(
    private readonly kernel: Kernel,
    readonly pid: number,
    readonly name: string,
  ) {
    this.threadTasks = [new Task(`${name}[${pid}]`, 0)];
  }

  open(path: string): number {
    if (this.kernel.tracer !== undefined) this.kernel.traceSyscall(`${this.name}: open(${path})`);
    return this.syscall(this.doOpen, path, 0, undefined);
  }

  close(fd: number): number {
    if (this.kernel.tracer !== undefined) this.kernel.traceSyscall(`${this.name}: close(${fd})`);
    return this.syscall(this.closeFd, fd, 0, undefined);
  }

  /** The hot path of every benchmark: the syscall entry and exit are written out here rather than shared. */
  ioctl(fd: number, request: number, arg?: IoctlArg): number {
    if (this.exited) return -errno.ESRCH;
    const kernel = this.kernel;
    if (kernel.tracer !== undefined)
      kernel.traceSyscall(`${this.name}: ioctl(${fd}, 0x${request.toString(16)})`);
    const task = this.task();
    const previous = kernel.enterSyscall(task);
    let result: number;
    try {
      result = this.doIoctl(fd, request, arg);
    } catch (error) {
      kernel.abortSyscall(previous);
      throw error;
    }
    kernel.exitSyscall(task, previous);
    return result;
  }

  /** Installs a file the kernel created (anon_inode_getfd): the fd takes over the caller's reference. */
  installFd(file: File): number {
    const fd = this.lowestFreeFd();
    if (fd < 0) {
      this.kernel.fput(file);
      return fd;
    }
    this.installAt(fd, file);
    return fd;
  }

  private installAt(fd: number, file: File): void {
    this.fds.set(fd, file);
    this.fdtable[fd] = file;
  }

  /** fdget: the file behind `fd` with one more reference held (drop it with `kernel.fput`), or undefined. */
  fdget(fd: number): File | undefined {
    // fdtable's bound (fd < max_fds): an index outside the array, negative or not, reads undefined.
    const file = this.fdtable[fd];
    if (file === undefined) return undefined;
    this.kernel.fget(file);
    return file;
  }

  /** Places an int in user memory (as C's `int` it keeps the low 32 bits); anything but an integer is refused. */
  userInt32(value: number): number {
    if (!Number.isSafeInteger(value))
      throw new TypeError(`userInt32 takes an integer, not ${JSON.stringify(value) ?? String(value)}`);
    return this.memory.place(value | 0);
  }

  userString(text: string): number {
    if (typeof text !== 'string') throw new TypeError(`userString takes a string, not ${String(text)}`);
    return this.memory.place(text);
  }

  /**
   * do_exit: exit_files closes every fd (lowest first, each flushed, its fput queued), then
   * exit_task_work runs the queued releases, newest first.
   */
  exit(): number {
    if (this.kernel.tracer !== undefined) this.kernel.traceSyscall(`${this.name}: exit()`);
    const result = this.syscall(this.doExit, 0, 0, undefined);
    if (result === 0) this.kernel.reap(this);
    return result;
  }

  /** The task this process's syscalls run as on the calling thread. */
  task(): Task {
    const thread = this.kernel.currentThread;
    let task = this.threadTasks[thread];
    if (task === undefined) {
      task = new Task(`${this.name}[${this.pid}]/thread ${thread}`, thread);
      this.threadTasks[thread] = task;
    }
    return task;
  }

  /**
   * One syscall as this process's task: entry makes the task current; on the way back to user
   * mode its task work runs. `body` is a method and its arguments, so the hot path allocates nothing.
   */
  private syscall<A, B, C>(body: (this: Process, a: A, b: B, c: C) => number, a: A, b: B, c: C): number {
    if (this.exited) return -errno.ESRCH;
    const kernel = this.kernel;
    const task = this.task();
    const previous = kernel.enterSyscall(task);
    let result: number;
    try {
      result = body.call(this, a, b, c);
    } catch (error) {
      kernel.abortSyscall(previous);
      throw error;
    }
    kernel.exitSyscall(task, previous);
    return result;
  }

  private doOpen(path: string): number {
    const fd = this.lowestFreeFd();
    if (fd < 0) return fd;
    const file = this.kernel.openFile(path, this);
    if (typeof file === 'number') return file;
    this.installAt(fd, file);
    return fd;
  }

  /** close(2): filp_close's ->flush, then the fput (__fput_sync on kernels built with closeSync, Linux 6.6). */
  private closeFd(fd: number): number {
    return this.filpClose(fd, this.kernel.closeSync);
  }

  /** filp_close: ->flush for every close, then drop the fd's reference. */
  private filpClose(fd: number, sync: boolean): number {
    const file = this.fds.get(fd);
    if (file === undefined) return -errno.EBADF;
    this.fds.delete(fd);
    this.fdtable[fd] = undefined;
    if (file.fops.flush !== undefined) {
      this.kernel.checkFileOps(file);
      file.fops.flush(file);
    }
    if (sync) this.kernel.fputSync(file);
    else this.kernel.fput(file);
    return 0;
  }

  private doExit(): number {
    // exit_files -> close_files: filp_close with fput, the releases left to exit_task_work.
    for (const fd of [...this.fds.keys()].sort((a, b) => a - b)) this.filpClose(fd, false);
    this.exited = true;
    return 0;
  }

  private doIoctl(fd: number, request: number, arg: IoctlArg): number {
    const file = this.fdget(fd);
    if (file === undefined) return -errno.EBADF;
    let result = -errno.ENOTTY;
    if (file.fops.ioctl !== undefined) {
      this.kernel.checkFileOps(file);
      result = file.fops.ioctl(file, request, arg, this);
    }
    this.kernel.fput(file);
    return result;
  }

  private lowestFreeFd(): number {
    for (let fd = FIRST_FD; fd < MAX_FDS; fd++) if (!this.fds.has(fd)) return fd;
    return -errno.EMFILE;
  }
}
