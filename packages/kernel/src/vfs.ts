import { errno } from './errno.js';
import { File, type FileOperations } from './file.js';
import { touch } from './kasan.js';
import type { Kernel } from './kernel.js';
import { modulePut, pinModule, tryModuleGet } from './module-refcount.js';
import type { Process } from './process.js';

/** Character device nodes and the open files behind them [fs/char_dev.c, fs/open.c, fs/file_table.c]. */
export class Vfs {
  private readonly chrdevs = new Map<string, FileOperations>();
  private readonly liveFiles = new Set<File>();
  /** The next file's id: files are numbered per kernel. */
  private fileIds = 1;

  constructor(private readonly kernel: Kernel) {}

  /** Creates a device node (cdev_add + device_create); open files keep working after it goes. */
  registerChrdev(path: string, fops: FileOperations): void {
    if (this.chrdevs.has(path)) throw new Error(`device node ${path} already exists`);
    this.chrdevs.set(path, fops);
  }

  unregisterChrdev(path: string): void {
    this.chrdevs.delete(path);
  }

  devicePaths(): string[] {
    return [...this.chrdevs.keys()].sort();
  }

  /** do_sys_open: -ENOENT for no such node, -ENODEV when its owner module is going away. */
  openFile(path: string, current: Process): File | number {
    const fops = this.chrdevs.get(path);
    if (fops === undefined) return -errno.ENOENT;
    if (fops.owner !== null && !pinModule(this.kernel, fops.owner)) return -errno.ENODEV;
    const file = new File(path, fops, this.fileIds++);
    this.liveFiles.add(file);
    if (fops.open !== undefined) {
      this.checkFileOps(file);
      const result = fops.open(file, current);
      if (result < 0) {
        this.liveFiles.delete(file);
        file.freed = true;
        modulePut(this.kernel, fops.owner);
        return result;
      }
    }
    return file;
  }

  /**
   * anon_inode_getfile: a file with no device node (a VM fd, a device fd). Its owner is pinned
   * like any open; returns undefined if the owner is going away.
   */
  anonFile(name: string, fops: FileOperations, privateData: unknown): File | undefined {
    if (!tryModuleGet(this.kernel, fops.owner)) return undefined;
    const file = new File(`anon_inode:${name}`, fops, this.fileIds++);
    file.privateData = privateData;
    this.liveFiles.add(file);
    return file;
  }

  /**
   * get_file: one more reference. Linux's fdget/fget look the fd up and take the reference
   * atomically (under RCU), so the preemption point comes after the reference is held.
   */
  fget(file: File): void {
    touch(this.kernel, file);
    file.count += 1;
    this.kernel.preempt('file-get', file.path);
  }

  /**
   * fput [fs/file_table.c]: the last reference of a file is released by ____fput, queued as task
   * work of the current task and run when it returns to user mode (or at exit), never inside the
   * caller's critical section. With no task (code outside any syscall) it is released at once.
   */
  fput(file: File): void {
    const kernel = this.kernel;
    kernel.preempt('file-put', file.path);
    touch(kernel, file);
    if (file.count === 0) {
      this.underflow(file);
      return;
    }
    file.count -= 1;
    if (file.count > 0) return;
    const task = kernel.current;
    if (task === null) {
      this.release(file);
      return;
    }
    task.addWork(() => {
      this.kernel.preempt('task-work', file.path);
      this.release(file);
    });
  }

  /** __fput_sync: the last reference is released right here, as close(2) does since Linux 6.6 (021a160abf62). */
  fputSync(file: File): void {
    if (this.dropReference(file)) this.release(file);
  }

  /** Drops one reference; true when it was the last. */
  private dropReference(file: File): boolean {
    this.kernel.preempt('file-put', file.path);
    touch(this.kernel, file);
    if (file.count === 0) {
      this.underflow(file);
      return false;
    }
    file.count -= 1;
    return file.count === 0;
  }

  private underflow(file: File): void {
    this.kernel.violation('refcount-underflow', `${file.label}: fput with no reference held`, {
      object: file.label,
    });
  }

  /** __fput: `release` runs while the owner is still pinned, then the file is freed and the owner unpinned. */
  private release(file: File): void {
    if (file.fops.release !== undefined) {
      this.checkFileOps(file);
      file.fops.release(file);
    }
    this.liveFiles.delete(file);
    file.freed = true;
    modulePut(this.kernel, file.fops.owner);
  }

  /** Calling a file operation whose module is freed is a use-after-free. */
  checkFileOps(file: File): void {
    const owner = file.fops.owner;
    if (owner !== null && owner.state === 'FREED') {
      this.kernel.violation(
        'use-after-free',
        `${file.fops.name} operation of freed module ${owner.name} called`,
        {
          module: owner.name,
          object: file.label,
        },
      );
    }
  }

  openFiles(): File[] {
    return [...this.liveFiles];
  }
}
