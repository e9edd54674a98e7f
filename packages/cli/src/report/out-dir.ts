import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';

/** Why a directory cannot be used, in a few words; the fs error stays attached as `cause`. */
const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent of it is a file, not a directory',
  EEXIST: 'a file is in the way of the directory',
  EISDIR: 'a directory is in the way of a report file',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the path is too long',
  // mkdir on procfs or sysfs: the parent exists, but the file system makes nothing there.
  ENOENT: 'the file system does not let a directory be made there',
};

/** Deeper than this is a mistake in the path, not a place for reports. */
const MAX_NEW_LEVELS = 32;

/** An --out that is unusable: `usage` for the user's own choice (an empty path, a non-empty directory). */
export class OutDirError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OutDirError';
  }
}

function fsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function unwritable(path: string, error: unknown): OutDirError {
  const code = fsErrorCode(error);
  const reason = (code !== undefined ? reasons[code] : undefined) ?? code ?? String(error).split('\n')[0];
  return new OutDirError(`cannot write reports to ${path}: ${reason}`, false, { cause: error });
}

function kindOf(path: string): 'directory' | 'other' | 'absent' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT') return 'absent';
    throw error;
  }
}

/**
 * The directory a run writes its reports into, and a record of what the run made there, so a run
 * that fails or is interrupted leaves nothing behind. Each missing level is made with its own
 * mkdir (Node's recursive mkdir retries forever where procfs refuses, e.g. under /proc).
 */
export class OutDir {
  /** Directories this run made, outermost first. */
  private readonly made: string[] = [];
  /** Files this run made (report files that did not exist before), and temporaries not yet renamed. */
  private readonly files = new Set<string>();

  private constructor(readonly path: string) {}

  /**
   * Checks and creates `path`: an empty path is a usage error, so is a directory that already has
   * files in it unless `force`. Throws an OutDirError with one readable line.
   */
  static prepare(path: string, options: { force: boolean; cwd?: string }): OutDir {
    if (path.trim() === '') {
      throw new OutDirError(
        '--out needs a directory (an empty path would write the reports into the current directory)',
        true,
      );
    }
    const out = new OutDir(resolve(options.cwd ?? process.cwd(), path));
    try {
      out.create(options.force);
    } catch (error) {
      out.discard();
      throw error instanceof OutDirError ? error : unwritable(out.path, error);
    }
    return out;
  }

  private create(force: boolean): void {
    const missing: string[] = [];
    let level = this.path;
    let kind = kindOf(level);
    while (kind === 'absent') {
      missing.unshift(level);
      if (missing.length > MAX_NEW_LEVELS)
        throw new OutDirError(
          `cannot write reports to ${this.path}: more than ${MAX_NEW_LEVELS} directories to create`,
          false,
        );
      const parent = dirname(level);
      if (parent === level || level === parse(level).root) break;
      level = parent;
      kind = kindOf(level);
    }
    if (kind === 'other')
      throw unwritable(
        this.path,
        Object.assign(new Error('not a directory'), { code: level === this.path ? 'EEXIST' : 'ENOTDIR' }),
      );
    if (missing.length === 0) {
      const entries = readdirSync(this.path);
      if (entries.length > 0 && !force) {
        const shown = entries.slice(0, 3).join(', ');
        throw new OutDirError(
          `--out ${this.path} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${shown}${entries.length > 3 ? ', …' : ''}); pass --force to write the reports into it`,
          true,
        );
      }
    }
    for (const dir of missing) {
      mkdirSync(dir);
      this.made.push(dir);
    }
    accessSync(this.path, constants.W_OK);
  }

  /**
   * Writes the files: each to a temporary name first, then all renamed into place, so an
   * existing report is replaced whole or not at all. A failure removes what this run wrote.
   */
  write(contents: readonly (readonly [string, string])[]): string[] {
    const targets = contents.map(([name]) => join(this.path, name));
    try {
      const fresh = targets.filter((target) => kindOf(target) === 'absent');
      contents.forEach(([name, text]) => {
        const temporary = join(this.path, `.${name}.${process.pid}.tmp`);
        this.files.add(temporary);
        writeFileSync(temporary, text);
      });
      contents.forEach(([name]) => {
        const temporary = join(this.path, `.${name}.${process.pid}.tmp`);
        const target = join(this.path, name);
        if (fresh.includes(target)) this.files.add(target);
        renameSync(temporary, target);
        this.files.delete(temporary);
      });
    } catch (error) {
      this.discard();
      throw unwritable(this.path, error);
    }
    return targets;
  }

  /** The run is over and kept: nothing is removed any more. */
  keep(): void {
    this.files.clear();
    this.made.length = 0;
  }

  /**
   * Removes what this run made: its files, then its directories innermost first (only while
   * empty, so nothing the user put there meanwhile goes). Safe to call more than once.
   */
  discard(): void {
    for (const file of this.files) rmSync(file, { force: true });
    this.files.clear();
    for (const dir of [...this.made].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        break; // not empty, or already gone: leave it and what contains it
      }
    }
    this.made.length = 0;
  }
}

/** `reports/<timestamp>`, the ISO time with the colons that some filesystems refuse replaced. */
export function defaultOutDir(now: Date): string {
  return join('reports', now.toISOString().replace(/:/g, '-'));
}
