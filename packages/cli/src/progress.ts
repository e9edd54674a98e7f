/**
 * Progress for steps longer than a second: a redrawn status line on a TTY, plain lines otherwise
 * (CI logs), always on stderr so stdout stays clean for --json.
 */
export class Progress {
  private readonly tty: boolean;
  private lastLine = '';
  private lastPrint = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** A step starts or advances; `done`/`total` draw a bar on a TTY. */
  update(label: string, done?: number, total?: number): void {
    if (this.quiet) return;
    const bar =
      done !== undefined && total !== undefined && total > 0
        ? ` ${renderBar(done / total)} ${done}/${total}`
        : '';
    const line = `${label}${bar}`;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.lastLine = line;
      return;
    }
    // Non-TTY: one line per step, and at most one progress line a second within a step.
    const now = Date.now();
    if (label !== this.lastLine || now - this.lastPrint > 1000) {
      this.stream.write(`${line}\n`);
      this.lastLine = label;
      this.lastPrint = now;
    }
  }

  done(): void {
    if (this.quiet) return;
    if (this.tty && this.lastLine !== '') this.stream.write('\r\x1b[2K');
    this.lastLine = '';
  }
}

function renderBar(fraction: number): string {
  const width = 20;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
