import { errno } from './errno.js';
import type { Kernel } from './kernel.js';
import { Module } from './module.js';
import type { ModuleImage } from './module-image.js';
import { modulePut, tryModuleGet } from './module-refcount.js';
import type { SymbolTable } from './symbol-table.js';
import { afterSleep, type MaySleep } from './wait-queue.js';

/** delete_module's force flag. */
export const O_TRUNC = 0o1000;

/** The module loader [kernel/module/main.c]: the images it can load and the modules loaded from them. */
export class ModuleLoader {
  private readonly images = new Map<string, ModuleImage>();
  private readonly modules = new Map<string, Module>();

  constructor(
    private readonly kernel: Kernel,
    private readonly symbols: SymbolTable,
  ) {}

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
   * -EEXIST for a name already loaded, -ENOEXEC for an export another module already has,
   * init's error if init fails. Nothing is left behind on failure.
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
      const found = this.symbols.findSymbol(symbol);
      const usable =
        found !== undefined &&
        found.module.state === 'LIVE' &&
        (module.uses.has(found.module) || tryModuleGet(this.kernel, found.module));
      if (!usable) {
        this.dropUses(module);
        this.modules.delete(name);
        return -errno.ENOENT;
      }
      // One edge per used module however many of its symbols are imported (sets: adding again is a no-op).
      module.uses.add(found.module);
      found.module.usedBy.add(module);
      resolved.set(symbol, found.value);
    }

    const body = image.load({
      kernel: this.kernel,
      module,
      import: <T>(symbol: string): T => {
        if (!resolved.has(symbol)) throw new Error(`${name}: ${symbol} is not among the module's imports`);
        return resolved.get(symbol) as T;
      },
    });
    module.body = body;
    // complete_formation: under module_mutex, verify_exported_symbols and the move to COMING are
    // one step. An export another module (in any state but UNFORMED) already has is -ENOEXEC
    // ("exports duplicate symbol"), and the load is undone like an unresolved import.
    this.kernel.preempt('module-state', module.name);
    if (Object.keys(image.exports).some((symbol) => this.symbols.findSymbol(symbol) !== undefined)) {
      this.dropUses(module);
      this.modules.delete(name);
      return -errno.ENOEXEC;
    }
    module.state = 'COMING';
    this.symbols.publishExports(module, body.symbols);

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
   * The module's exit may sleep; the module stays GOING until it finishes, then it is freed.
   */
  deleteModule(name: string, flags: number): MaySleep<number> {
    // Linux makes every check below, down to try_stop_module's, under module_mutex, which also
    // serialises loads and frees: the preemption point is where it is taken, and the checks and
    // the state change after it are one step (try_stop_module drops the base reference and marks
    // the module GOING atomically, so a concurrent try_module_get fails after it). A failed
    // delete_module meets the point too: what it read (a module's users, its state) is what a
    // concurrent load, unload or module_put changes.
    this.kernel.preempt('module-state', name);
    const module = this.modules.get(name);
    // find_module does not see a module that is still UNFORMED.
    if (module === undefined || module.state === 'UNFORMED') return -errno.ENOENT;
    if (module.usedBy.size > 0) return -errno.EWOULDBLOCK;
    if (module.state !== 'LIVE') return -errno.EBUSY;
    const mayForce = this.kernel.forceUnload && (flags & O_TRUNC) !== 0;
    if (module.hasInitWithoutExit) {
      if (!mayForce) return -errno.EBUSY;
      this.kernel.tainted = true;
    }
    // try_stop_module: refcount must be zero, or the unload forced.
    if (module.refcount !== 0) {
      if (!mayForce) return -errno.EWOULDBLOCK;
      this.kernel.tainted = true;
    }
    module.state = 'GOING';
    return afterSleep(module.body?.exit?.(), () => {
      this.freeModule(module);
      return 0;
    });
  }

  private setState(module: Module, state: Module['state']): void {
    this.kernel.preempt('module-state', module.name);
    module.state = state;
  }

  /** free_module: exports vanish, use edges and their references go, the module's memory is poisoned. */
  private freeModule(module: Module): void {
    this.symbols.withdrawExports(module);
    this.dropUses(module);
    this.modules.delete(module.name);
    this.setState(module, 'FREED');
  }

  private dropUses(module: Module): void {
    for (const used of module.uses) {
      used.usedBy.delete(module);
      modulePut(this.kernel, used);
    }
    module.uses.clear();
  }
}
