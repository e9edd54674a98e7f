// Entry point of one measuring process forked by runInProcesses; never imported. Loads the
// subjects module afresh (new JIT state, hash seeds and heap layout), measures, reports raw rounds.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureRounds, type Subject } from './interleaved.js';
import type { ChildMessage, StartMessage, SubjectsModule } from './protocol.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send)
      return reject(new Error('child.ts must be started by runInProcesses (no IPC channel)'));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

async function loadSubjects({ path, exportName = 'subjects', args }: SubjectsModule): Promise<Subject[]> {
  const url = isAbsolute(path) ? pathToFileURL(path).href : path;
  const namespace = (await import(url)) as Record<string, unknown>;
  const fromDefault = namespace['default'] as Record<string, unknown> | undefined;
  const found = namespace[exportName] ?? fromDefault?.[exportName];
  const subjects: unknown =
    typeof found === 'function' ? await (found as (a: unknown) => unknown)(args) : found;
  if (!Array.isArray(subjects))
    throw new TypeError(
      `${path}: export '${exportName}' is not an array of subjects (or a function returning one)`,
    );
  return subjects as Subject[];
}

process.once('message', (message: StartMessage) => {
  void (async () => {
    try {
      const all = await loadSubjects(message.module);
      const only = message.only;
      const subjects = only === undefined ? all : all.filter((subject) => subject.name === only);
      if (only !== undefined && subjects.length === 0) throw new Error(`no subject named '${only}'`);
      const raw = await measureRounds(subjects, {
        ...message.options,
        ...(only === undefined ? {} : { baseline: only }),
        onProgress: ({ process: _p, processes: _ps, ...event }) => void send({ type: 'progress', event }),
      });
      await send({ type: 'done', raw });
    } catch (error) {
      await send({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    // Exit even if the subjects left timers or handles behind; the last send has been flushed.
    process.exit(0);
  })();
});
