import type { CouplingStrategy, LinuxName, System } from '@coupling-lab/lab';
import type { Step } from './core/index.js';

/** What a catalogue scenario's steps act on: the booted system and what the scenario's setup made. */
export interface LabWorld<S> {
  readonly sys: System;
  readonly state: S;
}

/**
 * A race-catalogue entry: a few threads of syscalls or kernel operations on a freshly booted lab
 * System, raced by the explorer against one strategy. Threads are numbered from 1 in `threads` order.
 */
export interface LabScenario<S = unknown> {
  readonly name: string;
  /** What races, and what each variant does wrong in it. */
  readonly description: string;
  /** What a clean verdict guarantees, as a sentence. */
  readonly invariant: string;
  /** Whether the race exists for this strategy on this kernel at all; if not, exploring it gives 'skipped'. */
  appliesTo(strategy: CouplingStrategy, linux: LinuxName): boolean;
  /** Kernels on which the race makes no sense, with the reason (exploring there gives 'skipped'). */
  readonly notOn?: Readonly<Partial<Record<LinuxName, string>>>;
  /** Runs after boot, before any thread and outside the explorer: the state the race starts from. */
  setup(sys: System): S;
  readonly threads: readonly (readonly Step<LabWorld<S>>[])[];
}
