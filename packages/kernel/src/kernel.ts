import { opsTable } from './call-guard.js';
import { Counters } from './counters.js';
import type { File, FileOperations } from './file.js';
import { kfree, touch } from './kasan.js';
import type { KernelObject } from './kernel-object.js';
import { LeakCheck } from './leak-check.js';
import { LockDep } from './lockdep.js';
import { Locking } from './locking.js';
import type { Module } from './module.js';
import type { ModuleImage } from './module-image.js';
import { ModuleLoader } from './module-loader.js';
import { modulePut, tryModuleGet } from './module-refcount.js';
import type { Mutex } from './mutex.js';
import type { PreemptionHook, PreemptionPoint, Scheduler } from './preemption.js';
import type { Process } from './process.js';
import type { Refcount } from './refcount.js';
import { SymbolTable } from './symbol-table.js';
import { TaskList } from './task-list.js';
import type { Tracer } from './trace.js';
import { Vfs } from './vfs.js';
import { KernelViolation, type ViolationKind, type ViolationReport } from './violation.js';

export interface KernelOptions {
  /** CONFIG_MODULE_FORCE_UNLOAD: `deleteModule(name, O_TRUNC)` may force; forcing taints. */
  readonly forceUnload?: boolean;
  /** 'throw' (default): a violation is raised from the call that caused it; 'record': only recorded. */
  readonly onViolation?: 'throw' | 'record';
  /** A lock-order graph to share across kernels (the explorer keeps one for all its schedules). */
  readonly lockdep?: LockDep;
}

/** Where a violation happened, for its report. */
export interface ViolationSite {
  readonly module?: string;
  readonly object?: string;
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
  tainted = false;
  /** The thread the explorer is running; 0 outside the explorer. */
  currentThread = 0;
  hook: PreemptionHook | undefined;
  tracer: Tracer | undefined;
  scheduler: Scheduler | undefined;

  private readonly symbols = new SymbolTable(this);
  private readonly loader = new ModuleLoader(this, this.symbols);
  private readonly vfs = new Vfs(this);
  private readonly locking = new Locking(this);
  private readonly tasks = new TaskList(this);
  private readonly leaks = new LeakCheck(this);

  constructor(options: KernelOptions = {}) {
    this.forceUnload = options.forceUnload ?? false;
    this.onViolation = options.onViolation ?? 'throw';
    this.lockdep = options.lockdep ?? new LockDep();
  }

  // ---- preemption points, trace and violations -------------------------------------------------

  /** A preemption point: one branch when no explorer or tracer is attached. */
  preempt(point: PreemptionPoint, subject: string): void {
    if (this.hook !== undefined) this.hook(point, subject);
  }

  traceSyscall(description: string): void {
    this.tracer?.record({ thread: this.currentThread, point: 'syscall', subject: description });
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

  /** load_module: 0, or -ENOENT / -EEXIST / init's error, with nothing left behind (module-loader.ts). */
  insmod(name: string): number {
    return this.loader.insmod(name);
  }

  /** modprobe: the modules whose exports `name` imports first, then `name`. */
  modprobe(name: string): number {
    return this.loader.modprobe(name);
  }

  dependenciesOf(image: ModuleImage): string[] {
    return this.loader.dependenciesOf(image);
  }

  /** delete_module: 0 or -ENOENT / -EWOULDBLOCK / -EBUSY in Linux's order; O_TRUNC forces when booted with forceUnload. */
  deleteModule(name: string, flags = 0): number {
    return this.loader.deleteModule(name, flags);
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

  /** fput: the last reference runs `release`, frees the file and unpins its owner. */
  fput(file: File): void {
    this.vfs.fput(file);
  }

  checkFileOps(file: File): void {
    this.vfs.checkFileOps(file);
  }

  openFiles(): File[] {
    return this.vfs.openFiles();
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
