import { Counters } from './counters.js';
import { errno } from './errno.js';
import { File, type FileOperations } from './file.js';
import type { KernelObject } from './kernel-object.js';
import { LockDep } from './lockdep.js';
import { Module } from './module.js';
import type { ModuleImage } from './module-image.js';
import type { Mutex } from './mutex.js';
import type { PreemptionHook, PreemptionPoint, Scheduler } from './preemption.js';
import { Process } from './process.js';
import type { Refcount } from './refcount.js';
import { Tracer } from './trace.js';
import { KernelViolation, type ViolationKind, type ViolationReport } from './violation.js';

export interface KernelOptions {
  /** CONFIG_MODULE_FORCE_UNLOAD: `deleteModule(name, O_TRUNC)` may force; forcing taints. */
  readonly forceUnload?: boolean;
  /** 'throw' (default): a violation is raised from the call that caused it; 'record': only recorded. */
  readonly onViolation?: 'throw' | 'record';
  /** A lock-order graph to share across kernels (the explorer keeps one for all its schedules). */
  readonly lockdep?: LockDep;
}

/** delete_module's force flag. */
export const O_TRUNC = 0o1000;

/** Where a violation happened, for its report. */
export interface ViolationSite {
  readonly module?: string;
  readonly object?: string;
}

interface ExportedSymbol {
  readonly module: Module;
  readonly value: unknown;
  readonly gpl: boolean;
}

type KernelFunction = (...args: never[]) => unknown;

/**
 * The model kernel: the module loader [kernel/module/main.c], the symbol table, character device
 * nodes and files [fs/open.c, fs/file_table.c], processes, and the checks (KASAN, kmemleak,
 * lockdep) that turn a bug into a `KernelViolation`.
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

  private readonly images = new Map<string, ModuleImage>();
  private readonly modules = new Map<string, Module>();
  private readonly symbols = new Map<string, ExportedSymbol>();
  private readonly chrdevs = new Map<string, FileOperations>();
  private readonly liveFiles = new Set<File>();
  private readonly refcounts = new Set<Refcount>();
  private readonly held = new Map<number, Mutex[]>();
  private readonly processes = new Set<Process>();
  private nextPid = 1;

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

  // ---- module images and the loader -----------------------------------------------------------

  /** Makes an image available to insmod/modprobe by name (its .ko in /lib/modules). */
  registerImage(image: ModuleImage): void {
    this.images.set(image.name, image);
  }

  image(name: string): ModuleImage | undefined {
    return this.images.get(name);
  }

  findModule(name: string): Module | undefined {
    return this.modules.get(name);
  }

  /** Loaded modules (any state but FREED), in load order. */
  loadedModules(): Module[] {
    return [...this.modules.values()];
  }

  /**
   * load_module: -ENOENT for an unknown image or an unresolved import ("Unknown symbol"),
   * -EEXIST for a name already loaded, init's error if init fails. Nothing is left behind on failure.
   */
  insmod(name: string): number {
    const image = this.images.get(name);
    if (image === undefined) return -errno.ENOENT;
    if (this.modules.has(name)) return -errno.EEXIST;
    const module = new Module(image);
    // add_unformed_module: the name is taken before symbols are resolved.
    this.modules.set(name, module);

    // resolve_symbol + ref_module: each module used adds one use edge holding one reference.
    const resolved = new Map<string, unknown>();
    for (const symbol of image.imports) {
      const found = this.symbols.get(symbol);
      const usable =
        found !== undefined &&
        found.module.state === 'LIVE' &&
        (module.uses.has(found.module) || this.tryModuleGet(found.module));
      if (!usable) {
        this.dropUses(module);
        this.modules.delete(name);
        return -errno.ENOENT;
      }
      if (!module.uses.has(found.module)) {
        module.uses.add(found.module);
        found.module.usedBy.add(module);
      }
      resolved.set(symbol, found.value);
    }

    const body = image.load({
      kernel: this,
      module,
      import: <T>(symbol: string): T => {
        if (!resolved.has(symbol)) throw new Error(`${name}: ${symbol} is not among the module's imports`);
        return resolved.get(symbol) as T;
      },
    });
    module.body = body;
    this.setState(module, 'COMING');
    this.publishExports(module, body.symbols);

    const result = body.init?.() ?? 0;
    if (result < 0) {
      // do_init_module failure: the module goes away again, exports and use edges with it.
      this.setState(module, 'GOING');
      this.freeModule(module);
      return result;
    }
    this.setState(module, 'LIVE');
    return 0;
  }

  /** modprobe: loads the modules whose exports `name` imports first (depmod's data), then `name`. Already loaded is success. */
  modprobe(name: string): number {
    if (this.modules.get(name)?.state === 'LIVE') return 0;
    const image = this.images.get(name);
    if (image === undefined) return -errno.ENOENT;
    for (const dependency of this.dependenciesOf(image)) {
      const result = this.modprobe(dependency);
      if (result < 0) return result;
    }
    return this.insmod(name);
  }

  /** The images that export what `image` imports (depmod). */
  dependenciesOf(image: ModuleImage): string[] {
    const names = new Set<string>();
    for (const symbol of image.imports) {
      const provider = [...this.images.values()].find((candidate) => symbol in candidate.exports);
      if (provider !== undefined) names.add(provider.name);
    }
    return [...names];
  }

  /**
   * delete_module [kernel/module/main.c], in Linux's order: -ENOENT unknown; -EWOULDBLOCK used by
   * other modules; -EBUSY not LIVE; -EBUSY init without exit (unless forced); -EWOULDBLOCK refcount
   * not zero (unless forced). Forcing needs `forceUnload` and O_TRUNC, and taints the kernel.
   */
  deleteModule(name: string, flags = 0): number {
    const module = this.modules.get(name);
    // find_module does not see a module that is still UNFORMED.
    if (module === undefined || module.state === 'UNFORMED') return -errno.ENOENT;
    if (module.usedBy.size > 0) return -errno.EWOULDBLOCK;
    if (module.state !== 'LIVE') return -errno.EBUSY;
    const mayForce = this.forceUnload && (flags & O_TRUNC) !== 0;
    if (module.hasInitWithoutExit) {
      if (!mayForce) return -errno.EBUSY;
      this.tainted = true;
    }
    // try_stop_module: refcount must be zero, or the unload forced. Linux drops the base reference
    // and marks the module GOING as one step (a concurrent try_module_get then fails), so the
    // preemption point comes first and the check and the state change stay together.
    this.preempt('module-state', module.name);
    if (module.refcount !== 0) {
      if (!mayForce) return -errno.EWOULDBLOCK;
      this.tainted = true;
    }
    module.state = 'GOING';
    module.body?.exit?.();
    this.freeModule(module);
    return 0;
  }

  /** try_module_get: fails on a module that is going away; touching a freed one is a use-after-free. */
  tryModuleGet(module: Module | null): boolean {
    if (module === null) return true;
    this.preempt('module-get', module.name);
    return this.pinModule(module);
  }

  /**
   * try_module_get with no preemption point of its own, for callers that found the module under
   * a lock or with preemption disabled (__symbol_get, chrdev_open's cdev_lock): Linux frees a
   * module only after synchronize_rcu, so the lookup and the pin are one step there.
   */
  private pinModule(module: Module): boolean {
    if (module.state === 'FREED') {
      this.violation('use-after-free', `try_module_get on freed module ${module.name}`, { module: module.name });
      return false;
    }
    if (module.state === 'GOING' || module.state === 'UNFORMED') return false;
    this.counters.moduleGets += 1;
    module.refcount += 1;
    return true;
  }


  /** module_put. */
  modulePut(module: Module | null): void {
    if (module === null) return;
    this.preempt('module-put', module.name);
    if (module.state === 'FREED') {
      this.violation('use-after-free', `module_put on freed module ${module.name}`, { module: module.name });
      return;
    }
    this.counters.modulePuts += 1;
    if (module.refcount === 0) {
      this.violation('refcount-underflow', `module ${module.name}: module_put with no reference held`, {
        module: module.name,
      });
      return;
    }
    module.refcount -= 1;
  }

  // ---- symbols ---------------------------------------------------------------------------------

  /**
   * __symbol_get: the export's value with a reference on its owner, or null if there is no such
   * export, it is not GPL-only (Linux 6.6), its owner is COMING, or try_module_get fails.
   * symbol_get never loads a module.
   */
  symbolGet<T>(name: string): T | null {
    this.counters.symbolLookups += 1;
    this.preempt('symbol-lookup', name);
    const found = this.symbols.get(name);
    if (found === undefined || !found.gpl) return null;
    if (found.module.state === 'COMING') return null;
    if (!this.pinModule(found.module)) return null;
    return found.value as T;
  }

  /** __symbol_put: drops the reference symbolGet took on the export's owner. */
  symbolPut(name: string): void {
    const found = this.symbols.get(name);
    if (found === undefined) {
      this.violation('use-after-free', `symbol_put(${name}): its module is gone`, { object: name });
      return;
    }
    this.modulePut(found.module);
  }

  /** Is `name` exported right now, and by whom. */
  symbolOwner(name: string): string | undefined {
    return this.symbols.get(name)?.module.name;
  }

  /**
   * A struct of function pointers owned by `owner` (an ops table handed to another module).
   * Each call through it counts as an indirect cross-module call and checks the owner is not freed.
   */
  opsTable<T extends object>(owner: Module, label: string, table: T): T {
    const wrapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(table)) {
      wrapped[key] = typeof value === 'function' ? this.guardCall(owner, `${label}.${key}`, value as KernelFunction, true) : value;
    }
    return wrapped as T;
  }

  // ---- objects ----------------------------------------------------------------------------------

  /** The model's KASAN check before a dereference. */
  touch(object: KernelObject): void {
    if (object.poisoned) {
      this.violation('use-after-free', `access to freed ${object.label}`, {
        object: object.label,
        ...(object.owner === null ? {} : { module: object.owner.name }),
      });
    }
  }

  /** kfree: the object is poisoned; freeing it twice is a use-after-free too. */
  kfree(object: KernelObject): void {
    this.touch(object);
    object.freed = true;
  }

  trackRefcount(refcount: Refcount): void {
    this.refcounts.add(refcount);
  }

  untrackRefcount(refcount: Refcount): void {
    this.refcounts.delete(refcount);
  }

  // ---- locks ------------------------------------------------------------------------------------

  acquire(mutex: Mutex): void {
    this.preempt('lock', mutex.lockClass);
    this.counters.lockAcquisitions += 1;
    const thread = this.currentThread;
    if (mutex.holder === thread) {
      // A sleeping lock taken twice by one thread deadlocks; this is raised even in 'record' mode.
      const error = new KernelViolation({
        kind: 'recursive-lock',
        module: mutex.module,
        object: mutex.lockClass,
        message: `thread ${thread} takes ${mutex.lockClass}, which it already holds`,
        trace: this.tracer?.tail(40) ?? [],
      });
      this.violations.push(error);
      throw error;
    }
    if (mutex.holder !== null) {
      if (this.scheduler !== undefined) this.scheduler.blocked(mutex.lockClass, mutex.holder);
      throw new Error(`deadlock: thread ${thread} waits for ${mutex.lockClass} held by thread ${mutex.holder}`);
    }
    let held = this.held.get(thread);
    if (held === undefined) {
      held = [];
      this.held.set(thread, held);
    }
    for (const outer of held) {
      if (outer.lockClass !== mutex.lockClass && this.lockdep.record(outer.lockClass, mutex.lockClass)) {
        this.violation('lock-order', `${mutex.lockClass} taken under ${outer.lockClass}, and elsewhere the other way round`, {
          module: mutex.module,
          object: `${outer.lockClass} <-> ${mutex.lockClass}`,
        });
      }
    }
    mutex.holder = thread;
    held.push(mutex);
  }

  /** mutex_unlock: a preemption point once the lock is free, so another thread may take it right there. */
  release(mutex: Mutex): void {
    const held = this.held.get(mutex.holder ?? this.currentThread);
    const index = held?.lastIndexOf(mutex) ?? -1;
    if (held !== undefined && index >= 0) held.splice(index, 1);
    mutex.holder = null;
    this.preempt('unlock', mutex.lockClass);
  }


  // ---- device nodes and files -------------------------------------------------------------------

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
    if (fops.owner !== null && !this.pinModule(fops.owner)) return -errno.ENODEV;
    const file = new File(path, fops);
    this.liveFiles.add(file);
    if (fops.open !== undefined) {
      this.checkFileOps(file);
      const result = fops.open(file, current);
      if (result < 0) {
        this.liveFiles.delete(file);
        file.freed = true;
        this.modulePut(fops.owner);
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
    if (!this.tryModuleGet(fops.owner)) return undefined;
    const file = new File(`anon_inode:${name}`, fops);
    file.privateData = privateData;
    this.liveFiles.add(file);
    return file;
  }

  /**
   * get_file: one more reference. Linux's fdget/fget look the fd up and take the reference
   * atomically (under RCU), so the preemption point comes after the reference is held.
   */
  fget(file: File): void {
    this.touch(file);
    file.count += 1;
    this.preempt('file-get', file.path);
  }


  /** fput: the last reference runs `release`, frees the file and unpins its owner [fs/file_table.c __fput]. */
  fput(file: File): void {
    this.preempt('file-put', file.path);
    this.touch(file);
    if (file.count === 0) {
      this.violation('refcount-underflow', `${file.label}: fput with no reference held`, { object: file.label });
      return;
    }
    file.count -= 1;
    if (file.count > 0) return;
    if (file.fops.release !== undefined) {
      this.checkFileOps(file);
      file.fops.release(file);
    }
    this.liveFiles.delete(file);
    file.freed = true;
    this.modulePut(file.fops.owner);
  }

  /** Calling a file operation whose module is freed is a use-after-free. */
  checkFileOps(file: File): void {
    const owner = file.fops.owner;
    if (owner !== null && owner.state === 'FREED') {
      this.violation('use-after-free', `${file.fops.name} operation of freed module ${owner.name} called`, {
        module: owner.name,
        object: file.label,
      });
    }
  }

  openFiles(): File[] {
    return [...this.liveFiles];
  }

  // ---- processes --------------------------------------------------------------------------------

  spawn(name: string): Process {
    const process = new Process(this, this.nextPid++, name);
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

  /**
   * kmemleak at shutdown: after every process exited and every module that could be unloaded
   * was, anything still referenced is a leak.
   */
  checkLeaks(): void {
    for (const module of this.modules.values()) {
      if (module.refcount > 0) {
        this.violation('leak', `module ${module.name} still has ${module.refcount} reference(s) at shutdown`, {
          module: module.name,
        });
      }
    }
    for (const file of this.liveFiles) {
      this.violation('leak', `${file.label} still has ${file.count} reference(s) at shutdown`, { object: file.label });
    }
    for (const refcount of this.refcounts) {
      if (refcount.count > 0) {
        this.violation('leak', `${refcount.label} still has ${refcount.count} reference(s) at shutdown`, {
          module: refcount.module,
          object: refcount.label,
        });
      }
    }
  }

  // ---- internals --------------------------------------------------------------------------------

  private setState(module: Module, state: Module['state']): void {
    this.preempt('module-state', module.name);
    module.state = state;
  }

  private publishExports(module: Module, values: Readonly<Record<string, unknown>>): void {
    for (const [symbol, declaration] of Object.entries(module.image.exports)) {
      if (!(symbol in values)) throw new Error(`${module.name}: declares export ${symbol} but its body has no value for it`);
      if (this.symbols.has(symbol)) throw new Error(`${module.name}: symbol ${symbol} is already exported`);
      const value = values[symbol];
      const guarded = typeof value === 'function' ? this.guardCall(module, symbol, value as KernelFunction, false) : value;
      this.symbols.set(symbol, { module, value: guarded, gpl: declaration.gpl });
    }
  }

  /**
   * A function of `owner` as other modules see it: each call counts as a cross-module call (and
   * indirect when made through an ops table), is a preemption point, and is a use-after-free
   * once the owner is freed.
   */
  private guardCall(owner: Module, label: string, fn: KernelFunction, indirect: boolean): KernelFunction {
    const counters = this.counters;
    return (...args: never[]): unknown => {
      counters.crossModuleCalls += 1;
      if (indirect) counters.indirectCalls += 1;
      this.preempt('call', label);
      if (owner.state === 'FREED') {
        this.violation('use-after-free', `call to ${label} of freed module ${owner.name}`, { module: owner.name, object: label });
      }
      return fn(...args);
    };
  }

  /** free_module: exports vanish, use edges and their references go, the module's memory is poisoned. */
  private freeModule(module: Module): void {
    for (const [symbol, exported] of this.symbols) if (exported.module === module) this.symbols.delete(symbol);
    this.dropUses(module);
    this.modules.delete(module.name);
    this.setState(module, 'FREED');
  }

  private dropUses(module: Module): void {
    for (const used of module.uses) {
      used.usedBy.delete(module);
      this.modulePut(used);
    }
    module.uses.clear();
  }
}
