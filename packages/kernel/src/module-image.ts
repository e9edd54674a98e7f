import type { Kernel } from './kernel.js';
import type { Module } from './module.js';
import type { MaySleep } from './wait-queue.js';

/** `EXPORT_SYMBOL` (gpl: false) or `EXPORT_SYMBOL_GPL` (gpl: true). */
export interface ExportDecl {
  readonly gpl: boolean;
}

/** What `load` gives a module at load time: the kernel, itself, and the symbols it imports directly. */
export interface ModuleContext {
  readonly kernel: Kernel;
  readonly module: Module;
  /** A symbol listed in the image's `imports`, resolved at load (the kernel's hard dependency). */
  import<T>(symbol: string): T;
}

/** A loaded module's code and data: export values, and `init`/`exit` (module_init/module_exit). */
export interface ModuleBody {
  readonly symbols: Readonly<Record<string, unknown>>;
  /** Runs while the module is COMING; a negative errno fails the load and unloads it again. */
  init?(): number;
  /** Runs while the module is GOING, before it is freed; it may sleep (a driver waiting for its devices to be let go). */
  exit?(): MaySleep<void>;
}

/**
 * A module image (a .ko file): its name, the symbols it exports and imports, and `load`, which
 * makes a fresh instance of its code and data each time it is inserted.
 */
export interface ModuleImage {
  readonly name: string;
  readonly description: string;
  readonly imports: readonly string[];
  readonly exports: Readonly<Record<string, ExportDecl>>;
  load(context: ModuleContext): ModuleBody;
}
