import { errno } from './errno.js';
import type { File, IoctlArg } from './file.js';
import type { Kernel } from './kernel.js';
import { UserMemory } from './user-memory.js';

/** fds 0-2 are the unmodelled stdio; the first file a process opens gets fd 3. */
const FIRST_FD = 3;
/** RLIMIT_NOFILE's usual soft limit. */
const MAX_FDS = 1024;

/**
 * A user process: an fd table and a little user memory. Every syscall returns a non-negative
 * result or a negative errno, like the raw syscall ABI.
 */
export class Process {
  readonly fds = new Map<number, File>();
  readonly memory = new UserMemory();
  exited = false;

  constructor(
    private readonly kernel: Kernel,
    readonly pid: number,
    readonly name: string,
  ) {}

  open(path: string): number {
    if (this.kernel.tracer !== undefined) this.kernel.traceSyscall(`${this.name}: open(${path})`);
    const fd = this.lowestFreeFd();
    if (fd < 0) return fd;
    const file = this.kernel.openFile(path, this);
    if (typeof file === 'number') return file;
    this.fds.set(fd, file);
    return fd;
  }

  close(fd: number): number {
    if (this.kernel.tracer !== undefined) this.kernel.traceSyscall(`${this.name}: close(${fd})`);
    const file = this.fds.get(fd);
    if (file === undefined) return -errno.EBADF;
    this.fds.delete(fd);
    if (file.fops.flush !== undefined) {
      this.kernel.checkFileOps(file);
      file.fops.flush(file);
    }
    this.kernel.fput(file);
    return 0;
  }

  ioctl(fd: number, request: number, arg?: IoctlArg): number {
    if (this.kernel.tracer !== undefined)
      this.kernel.traceSyscall(`${this.name}: ioctl(${fd}, 0x${request.toString(16)})`);
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

  /** Installs a file the kernel created (anon_inode_getfd): the fd takes over the caller's reference. */
  installFd(file: File): number {
    const fd = this.lowestFreeFd();
    if (fd < 0) {
      this.kernel.fput(file);
      return fd;
    }
    this.fds.set(fd, file);
    return fd;
  }

  /** fdget: the file behind `fd` with one more reference held (drop it with `kernel.fput`), or undefined. */
  fdget(fd: number): File | undefined {
    const file = this.fds.get(fd);
    if (file === undefined) return undefined;
    this.kernel.fget(file);
    return file;
  }

  userInt32(value: number): number {
    return this.memory.place(value | 0);
  }

  userString(text: string): number {
    return this.memory.place(text);
  }

  /** do_exit: every fd is closed, lowest first. */
  exit(): number {
    for (const fd of [...this.fds.keys()].sort((a, b) => a - b)) this.close(fd);
    this.exited = true;
    this.kernel.reap(this);
    return 0;
  }

  private lowestFreeFd(): number {
    for (let fd = FIRST_FD; fd < MAX_FDS; fd++) if (!this.fds.has(fd)) return fd;
    return -errno.EMFILE;
  }
}
