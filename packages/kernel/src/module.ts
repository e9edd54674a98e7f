import type { ModuleBody, ModuleImage } from './module-image.js';

/**
 * `enum module_state` [include/linux/module.h], plus FREED for a module whose memory is gone:
 * anything still pointing at it is a use-after-free.
 */
export type ModuleState = 'UNFORMED' | 'COMING' | 'LIVE' | 'GOING' | 'FREED';

/** A module instance in the kernel: state, refcount and use edges [kernel/module/main.c]. */
export class Module {
  state: ModuleState = 'UNFORMED';
  /** References held by others (try_module_get, use edges); lsmod's "Used by" count. */
  refcount = 0;
  /** Modules this one uses: it holds one reference on each (ref_module). */
  readonly uses = new Set<Module>();
  /** Modules that use this one (lsmod's "Used by" names; Linux's source_list). */
  readonly usedBy = new Set<Module>();
  body: ModuleBody | undefined = undefined;

  constructor(readonly image: ModuleImage) {}

  get name(): string {
    return this.image.name;
  }

  get hasInitWithoutExit(): boolean {
    return this.body?.init !== undefined && this.body.exit === undefined;
  }
}
