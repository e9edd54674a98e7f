import { opsTable } from './call-guard.js';
import { Counters } from './counters.js';
import type { File, FileOperations } from './file.js';
import { kfree, touch } from './kasan.js';
import type { KernelObject } from './kernel-object.js';
import { LeakCheck } from './leak-check.js';
import { LockDep } from './lockdep.js';
import { Locking } from './locking.js';
import { errno } from './errno.js';
import type { Module } from './module.js';
import type { ModuleImage } from './module-image.js';
import { ModuleLoader } from './module-loader.js';
import { modulePut, tryModuleGet } from './module-refcount.js';
import type { Mutex } from './mutex.js';
import type { PreemptionHook, PreemptionPoint, Scheduler } from './preemption.js';
import type { Process } from './process.js';
import type { Refcount } from './refcount.js';
import { SleepingTasks, type SleepingTask } from './sleeping-tasks.js';
import { SymbolTable } from './symbol-table.js';
import { Task } from './task.js';
import { TaskList } from './task-list.js';
import type { Tracer } from './trace.js';
import { Vfs } from './vfs.js';
import { KernelViolation, type ViolationKind, type ViolationReport } from './violation.js';
import { Sleep, type MaySleep, type WaitQueue } from './wait-queue.js';
import type { LockDependency } from './lockdep.js';

export interface KernelOptions {
  /** CONFIG_MODULE_FORCE_UNLOAD: `deleteModule(name, O_TRUNC)` may force; forcing taints. */
  readonly forceUnload?: boolean;
  /** 'throw' (default): a violation is raised from the call that caused it; 'record': only recorded. */
  readonly onViolation?: 'throw' | 'record';
  /** A lock-order graph to share across kernels (the explorer keeps one for all its schedules). */
  readonly lockdep?: LockDep;
  /** close(2) releases the last reference at once with __fput_sync, as since Linux 6.6 (021a160abf62); else as task work. */
  readonly closeSync?: boolean;
}

/** Where a violation happened, for its report. */
export interface ViolationSite {
  readonly module?: string;
  readonly object?: string;
  /** lockdep's cycle, for a lock-order violation. */
  readonly chain?: readonly LockDependency[];
}

/**
 * The model kernel: it owns what every part shares (counters, violations, options, the hook,
 * tracer and scheduler, the current thread) and hands each call to the part that models it:
 * the module loader (module-loader.ts), module references (module-refcount.ts), the symbol table
 * (symbol-table.ts), cross-module calls (call-guard.ts), device nodes and files (vfs.ts),
 * locking (locking.ts), processes (task-list.ts), and the checks that turn a bug into a
 * `KernelViolation`: KASAN (kasan.ts), kmemleak (leak-check.ts) and lockdep (lockdep.ts).
 */
export class Kernel {
  readonly counters = new Counters();
  readonly violations: KernelViolation[] = [];
  readonly lockdep: LockDep;
  readonly forceUnload: boolean;
  readonly onViolation: 'throw' | 'record';
  readonly closeSync: boolean;
  tainted = false;
  /** The thread the explorer is running; 0 outside the explorer. */
  currentThread = 0;
  /** `current`: the task whose syscall is running, or null between syscalls. */
  current: Task | null = null;
  hook: PreemptionHook | undefined = undefined;
  tracer: Tracer | undefined = undefined;
  scheduler: Scheduler | undefined = undefined;
  /**
   * The loaded modules' global data (what a module's .data and .bss hold, for inspection as
   * debugfs shows it), by a key each module's code owns. A field of the kernel rather than a
   * WeakMap keyed by it, so that everything a booted system holds is reachable from it (the
   * explorer's snapshot puts it back in place).
   */
  readonly globals = new Map<symbol, unknown>();

  private readonly symbols = new SymbolTable(this);
  private readonly loader = new ModuleLoader(this, this.symbols);
  private readonly vfs = new Vfs(this);
  private readonly locking = new Locking(this);
  private readonly tasks = new TaskList(this);
  private readonly leaks = new LeakCheck(this);
  private readonly sleeping = new SleepingTasks();
  private runningWoken = false;

  constructor(options: KernelOptions = {}) {
    this.forceUnload = options.forceUnload ?? false;
    this.onViolation = options.onViolation ?? 'throw';
    this.closeSync = options.closeSync ?? false;
    this.lockdep = options.lockdep ?? new LockDep();
  }

  // ---- preemption points, trace and violations -------------------------------------------------

  /** A preemption point: one branch when no explorer or tracer is attached. */
  preempt(point: PreemptionPoint, subject: string): void {
    if (this.hook !== undefined) this.hook(point, subject);
  }

  traceSyscall(description: string): void {
    this.tracer?.note(this.currentThread, 'syscall', description);
  }

  /** Records a violation and, unless booted with onViolation 'record', raises it. */
  violation(kind: ViolationKind, message: string, site: ViolationSite = {}): void {
    const report: ViolationReport = { kind, message, trace: this.tracer?.tail(40) ?? [], ...site };
    const error = new KernelViolation(report);
    this.violations.push(error);
    if (this.onViolation === 'throw') throw error;
  }

  // ---- modules ----------------------------------------------------------------------------------

  registerImage(image: ModuleImage): void {
    this.loader.registerImage(image);
  }

  image(name: string): ModuleImage | undefined {
    return this.loader.image(name);
  }

  findModule(name: string): Module | undefined {
    return this.loader.findModule(name);
  }

  loadedModules(): Module[] {
    return this.loader.loadedModules();
  }

  /** init_module: 0, or -ENOENT / -EEXIST / init's error, with nothing left behind (module-loader.ts). */
  insmod(name: string): number {
    return this.syscall(`init_module(${name})`, () => this.loader.insmod(name));
  }

  /** modprobe: the modules whose exports `name` imports first, then `name`. */
  modprobe(name: string): number {
    return this.syscall(`modprobe(${name})`, () => this.loader.modprobe(name));
  }

  dependenciesOf(image: ModuleImage): string[] {
    return this.loader.dependenciesOf(image);
  }

  /**
   * delete_module: 0 or -ENOENT / -EWOULDBLOCK / -EBUSY in Linux's order; O_TRUNC forces when
   * booted with forceUnload. A module whose exit sleeps (vfio_pci waiting for its groups to
   * leave their containers) stays GOING: the call returns -EINPROGRESS and the unload finishes
   * when the sleeping task is woken and run.
   */
  deleteModule(name: string, flags = 0): number {
    return this.syscall(`delete_module(${name})`, () => this.loader.deleteModule(name, flags));
  }

  /** try_module_get: false for a module going away; a freed one is a use-after-free. */
  tryModuleGet(module: Module | null): boolean {
    return tryModuleGet(this, module);
  }

  /** module_put; below zero is a refcount underflow. */
  modulePut(module: Module | null): void {
    modulePut(this, module);
  }

  // ---- symbols and cross-module calls -----------------------------------------------------------

  /** __symbol_get: a GPL export with a reference on its owner, or null; never loads a module. */
  symbolGet<T>(name: string): T | null {
    return this.symbols.symbolGet<T>(name);
  }

  /** __symbol_put: drops the reference symbolGet took. */
  symbolPut(name: string): void {
    this.symbols.symbolPut(name);
  }

  symbolOwner(name: string): string | undefined {
    return this.symbols.symbolOwner(name);
  }

  /** A struct of function pointers owned by `owner`: calls through it are indirect cross-module calls, checked against a freed owner. */
  opsTable<T extends object>(owner: Module, label: string, table: T): T {
    return opsTable(this, owner, label, table);
  }

  // ---- objects ----------------------------------------------------------------------------------

  /** The model's KASAN check before a dereference. */
  touch(object: KernelObject): void {
    touch(this, object);
  }

  /** kfree: the object is poisoned from now on. */
  kfree(object: KernelObject): void {
    kfree(this, object);
  }

  trackRefcount(refcount: Refcount): void {
    this.leaks.trackRefcount(refcount);
  }

  untrackRefcount(refcount: Refcount): void {
    this.leaks.untrackRefcount(refcount);
  }

  // ---- locks ------------------------------------------------------------------------------------

  /** mutex_lock, with lockdep's order check (use `Mutex.lock`). */
  acquire(mutex: Mutex): void {
    this.locking.acquire(mutex);
  }

  /** mutex_unlock (use `Mutex.unlock`). */
  release(mutex: Mutex): void {
    this.locking.release(mutex);
  }

  // ---- device nodes and files -------------------------------------------------------------------

  registerChrdev(path: string, fops: FileOperations): void {
    this.vfs.registerChrdev(path, fops);
  }

  unregisterChrdev(path: string): void {
    this.vfs.unregisterChrdev(path);
  }

  devicePaths(): string[] {
    return this.vfs.devicePaths();
  }

  /** do_sys_open: the file, -ENOENT for no such node, -ENODEV when its owner is going away. */
  openFile(path: string, current: Process): File | number {
    return this.vfs.openFile(path, current);
  }

  /** anon_inode_getfile: a file with no device node (a VM fd, a device fd), pinning its fops' owner. */
  anonFile(name: string, fops: FileOperations, privateData: unknown): File | undefined {
    return this.vfs.anonFile(name, fops, privateData);
  }

  /** get_file: one more reference on the file. */
  fget(file: File): void {
    this.vfs.fget(file);
  }

  /** fput: the last reference is released (`release`, free, unpin the owner) as task work of the current task. */
  fput(file: File): void {
    this.vfs.fput(file);
  }

  /** __fput_sync: the last reference is released at once (close(2) since Linux 6.6). */
  fputSync(file: File): void {
    this.vfs.fputSync(file);
  }

  checkFileOps(file: File): void {
    this.vfs.checkFileOps(file);
  }

  openFiles(): File[] {
    return this.vfs.openFiles();
  }

  // ---- syscalls, sleeping and waking ------------------------------------------------------------

  /** Syscall entry: `task` becomes current. Returns the task it interrupted (null at top level). */
  enterSyscall(task: Task): Task | null {
    if (task.thread !== 0 && this.sleeping.size > 0 && this.sleeping.ofThread(task.thread) !== undefined) {
      throw new Error(`thread ${task.thread} is asleep in a syscall and cannot start another one`);
    }
    const previous = this.current;
    this.current = task;
    return previous;
  }

  /**
   * Return to user mode: the task's queued work runs (task_work_run), the interrupted task is
   * current again and, back at top level with no explorer attached, woken tasks run.
   */
  exitSyscall(task: Task, previous: Task | null): void {
    if (task.works !== null) task.runWorks();
    this.current = previous;
    if (previous === null && this.sleeping.wokenCount > 0 && this.scheduler === undefined) this.runWoken();
  }

  /** A syscall left by an exception (a violation): the interrupted task is current again. */
  abortSyscall(previous: Task | null): void {
    this.current = previous;
  }

  /** wake_up(wq): tasks asleep on it become runnable (run by the explorer, or at the end of the waking syscall). */
  wakeUp(wq: WaitQueue): void {
    this.counters.wakeUps += 1;
    this.sleeping.wakeUp(wq);
  }

  /** Tasks asleep in a syscall, in the order they went to sleep. */
  sleepingTasks(): readonly SleepingTask[] {
    return this.sleeping.list();
  }

  /** How many tasks are asleep in a syscall (cheaper than `sleepingTasks().length` on hot paths). */
  get sleepingCount(): number {
    return this.sleeping.size;
  }

  /** The task asleep on explorer thread `thread`, if any. */
  sleeperOf(thread: number): SleepingTask | undefined {
    return this.sleeping.ofThread(thread);
  }

  sleepingTaskOf(task: Task): SleepingTask | undefined {
    return this.sleeping.list().find((sleeping) => sleeping.task === task);
  }

  /**
   * Runs a sleeping task on from where it slept: it re-checks its condition and either sleeps
   * again (-EINPROGRESS) or finishes its syscall, whose result is returned.
   */
  resume(sleeping: SleepingTask): number {
    this.sleeping.take(sleeping);
    const task = sleeping.task;
    const previous = this.enterSyscall(task);
    let result: MaySleep<number>;
    try {
      result = sleeping.sleep.resume();
    } catch (error) {
      this.abortSyscall(previous);
      throw error;
    }
    return this.finishSyscall(task, sleeping.syscall, previous, result);
  }

  /** With no explorer attached: runs woken tasks until none is left (each may wake others). */
  runWoken(): void {
    if (this.runningWoken) return;
    this.runningWoken = true;
    try {
      for (let woken = this.sleeping.firstWoken(); woken !== undefined; woken = this.sleeping.firstWoken()) {
        this.resume(woken);
      }
    } finally {
      this.runningWoken = false;
    }
  }

  /**
   * A syscall that may sleep, run as a task of its own (the module syscalls are these): 0 or an
   * errno, or -EINPROGRESS when `body` went to sleep. The sleeping task finishes the syscall
   * when it is woken and run (by the explorer, or with none attached at the end of the waking
   * syscall); `sleepingTasks()` lists it meanwhile.
   */
  syscall(syscall: string, body: () => MaySleep<number>): number {
    this.traceSyscall(syscall);
    const task = new Task(syscall, this.currentThread);
    const previous = this.enterSyscall(task);
    let result: MaySleep<number>;
    try {
      result = body();
    } catch (error) {
      this.abortSyscall(previous);
      throw error;
    }
    return this.finishSyscall(task, syscall, previous, result);
  }

  /** A syscall body has returned: it finished (task work, return to user mode), or it sleeps. */
  private finishSyscall(
    task: Task,
    syscall: string,
    previous: Task | null,
    result: MaySleep<number>,
  ): number {
    if (result instanceof Sleep) {
      this.sleeping.park(task, syscall, result);
      this.abortSyscall(previous);
      if (previous === null && this.sleeping.wokenCount > 0 && this.scheduler === undefined) this.runWoken();
      return -errno.EINPROGRESS;
    }
    this.exitSyscall(task, previous);
    return result;
  }

  // ---- processes --------------------------------------------------------------------------------

  spawn(name: string): Process {
    return this.tasks.spawn(name);
  }

  livingProcesses(): Process[] {
    return this.tasks.livingProcesses();
  }

  reap(process: Process): void {
    this.tasks.reap(process);
  }

  // ---- shutdown ---------------------------------------------------------------------------------

  checkLeaks(): void {
    this.leaks.checkLeaks(this.loader.loadedModules(), this.vfs.openFiles());
  }
}
