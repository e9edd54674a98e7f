import { type CounterSnapshot, type Kernel, O_TRUNC, type Process } from '@coupling-lab/kernel';
import type { DependencyContainer } from 'tsyringe';
import { inspectKernel, type Snapshot } from './inspect.js';
import { checkAssociations } from './invariants.js';
import type { LinuxVersion } from './linux.js';
import type { CouplingStrategy } from './strategy.js';

/**
 * A booted machine: one kernel with the strategy's module images available, nothing loaded yet.
 * Module calls return 0 or a negative errno, like the syscalls behind insmod/modprobe/rmmod.
 */
export class System {
  constructor(
    readonly kernel: Kernel,
    readonly strategy: CouplingStrategy,
    /** The child container this system was composed in (its Kernel, Machine and strategy). */
    readonly container: DependencyContainer,
    private readonly moduleNames: readonly string[],
    /** The kernel version it booted. */
    readonly linux: LinuxVersion,
  ) {}

  /** The strategy's module names, in load order. */
  get modules(): readonly string[] {
    return this.moduleNames;
  }

  insmod(name: string): number {
    return this.kernel.insmod(name);
  }

  modprobe(name: string): number {
    return this.kernel.modprobe(name);
  }

  /** Every module the strategy provides, in dependency order; stops at the first error. */
  modprobeAll(): number {
    for (const name of this.moduleNames) {
      const result = this.kernel.modprobe(name);
      if (result < 0) return result;
    }
    return 0;
  }

  /** delete_module; `force` passes O_TRUNC (it only works when booted with forceUnload). */
  rmmod(name: string, options: { force?: boolean } = {}): number {
    return this.kernel.deleteModule(name, options.force === true ? O_TRUNC : 0);
  }

  spawn(name: string): Process {
    return this.kernel.spawn(name);
  }

  inspect(): Snapshot {
    return inspectKernel(this.kernel);
  }

  get counters(): CounterSnapshot {
    return this.kernel.counters.snapshot();
  }

  /** Cross-module invariants that hold between syscalls (no stale VFIO-to-VM association). */
  checkInvariants(): void {
    checkAssociations(this.kernel);
  }

  /**
   * Shutdown as a test wants it: every process exits, every module that can be unloaded is (in
   * reverse load order, repeated while that makes progress), then the invariants and kmemleak's
   * check. A task still asleep then can never be woken: a `deadlock`. Returns the names of modules
   * that could not be unloaded.
   */
  teardown(): string[] {
    const kernel = this.kernel;
    for (const process of kernel.livingProcesses()) process.exit();
    this.checkInvariants();
    let progress = true;
    while (progress) {
      progress = false;
      for (const module of kernel.loadedModules().reverse()) {
        if (module.state === 'LIVE' && kernel.deleteModule(module.name) === 0) progress = true;
      }
    }
    const asleep = kernel.sleepingTasks();
    if (asleep.length > 0) {
      const waits = asleep.map((sleeping) => `${sleeping.syscall} sleeps on ${sleeping.sleep.wq.name}`);
      kernel.violation('deadlock', `after every process exited, ${waits.join('; ')} for ever`, {
        object: asleep[0]?.sleep.wq.name ?? '',
      });
    }
    const stuck = kernel.loadedModules().map((module) => module.name);
    kernel.checkLeaks();
    return stuck;
  }
}
