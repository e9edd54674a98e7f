#!/usr/bin/env node
import { main } from './program.js';
import { Progress } from './progress.js';

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  progress: new Progress(process.stderr),
  colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  ...(process.stdout.columns === undefined ? {} : { width: process.stdout.columns }),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `coupling-lab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
