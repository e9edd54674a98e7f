// Messages between runInProcesses (parent) and child.ts, over the fork IPC channel.
import type { InterleavedOptions, ProgressEvent } from './interleaved.js';
import type { RawTimings } from './summarise.js';

/** Where a child process finds the subjects: they are closures, so each process builds its own. */
export interface SubjectsModule {
  /** Absolute path (or file: URL) of an ES or CommonJS module. */
  path: string;
  /** Export holding the subjects array, or a function returning it (or a promise of it); 'subjects' by default. */
  exportName?: string;
  /** Passed to that function (JSON-serialisable). */
  args?: unknown;
}

export type ChildOptions = Omit<InterleavedOptions, 'onProgress'>;

export interface StartMessage {
  type: 'start';
  module: SubjectsModule;
  options: ChildOptions;
  /** Measure only this subject (runPerSubject): the others' operations are never built or run here. */
  only?: string;
}

export type ChildMessage =
  | { type: 'progress'; event: Omit<ProgressEvent, 'process' | 'processes'> }
  | { type: 'done'; raw: RawTimings }
  | { type: 'error'; message: string };
