import { guardCall, type KernelFunction } from './call-guard.js';
import type { Kernel } from './kernel.js';
import type { Module } from './module.js';
import { modulePut, pinModule } from './module-refcount.js';

interface ExportedSymbol {
  readonly module: Module;
  readonly value: unknown;
  readonly gpl: boolean;
}

/** The exported symbols of every module not yet freed (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL). */
export class SymbolTable {
  private readonly exports = new Map<string, ExportedSymbol>();

  constructor(private readonly kernel: Kernel) {}

  /** find_symbol: the export of that name, whatever its owner's state. */
  findSymbol(name: string): ExportedSymbol | undefined {
    return this.exports.get(name);
  }

  /**
   * __symbol_get: the export's value with a reference on its owner, or null if there is no such
   * export, it is not GPL-only (Linux 6.6), its owner is COMING, or try_module_get fails.
   * symbol_get never loads a module.
   */
  symbolGet<T>(name: string): T | null {
    this.kernel.counters.symbolLookups += 1;
    this.kernel.preempt('symbol-lookup', name);
    const found = this.exports.get(name);
    if (found === undefined || !found.gpl) return null;
    if (found.module.state === 'COMING') return null;
    if (!pinModule(this.kernel, found.module)) return null;
    return found.value as T;
  }

  /** __symbol_put: drops the reference symbolGet took on the export's owner. */
  symbolPut(name: string): void {
    this.kernel.counters.symbolPuts += 1;
    const found = this.exports.get(name);
    if (found === undefined) {
      this.kernel.violation('use-after-free', `symbol_put(${name}): its module is gone`, { object: name });
      return;
    }
    modulePut(this.kernel, found.module);
  }

  /** Is `name` exported right now, and by whom. */
  symbolOwner(name: string): string | undefined {
    return this.exports.get(name)?.module.name;
  }

  /**
   * Exports are visible from COMING on; another module holds each function only through its call
   * guard. The loader has refused a duplicate name already (verify_exported_symbols, -ENOEXEC).
   */
  publishExports(module: Module, values: Readonly<Record<string, unknown>>): void {
    for (const [symbol, declaration] of Object.entries(module.image.exports)) {
      if (!(symbol in values))
        throw new Error(`${module.name}: declares export ${symbol} but its body has no value for it`);
      const value = values[symbol];
      const guarded =
        typeof value === 'function'
          ? guardCall(this.kernel, module, symbol, value as KernelFunction, false)
          : value;
      this.exports.set(symbol, { module, value: guarded, gpl: declaration.gpl });
    }
  }

  /** free_module's first step: the module's exports vanish. */
  withdrawExports(module: Module): void {
    for (const [symbol, exported] of this.exports)
      if (exported.module === module) this.exports.delete(symbol);
  }
}
