#!/usr/bin/env node
import { processInterrupts } from './interrupts.js';
import { main } from './program.js';
import { Progress } from './progress.js';
import { terminalWidth } from './terminal-width.js';

const width = terminalWidth();
main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  progress: new Progress(process.stderr),
  colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  interrupts: processInterrupts(),
  ...(width === undefined ? {} : { width }),
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
