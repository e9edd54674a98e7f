import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { Report } from './types.js';

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
};

function fsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** One readable line for a failed write into `outDir`; the fs error stays attached as `cause`. */
function unwritable(outDir: string, error: unknown): Error {
  const code = fsErrorCode(error);
  const reason = (code !== undefined ? reasons[code] : undefined) ?? code ?? String(error).split('\n')[0];
  return new Error(`cannot write reports to ${outDir}: ${reason}`, { cause: error });
}

/**
 * Creates `outDir` and checks it can be written, before a long run rather than after it. Throws
 * the same readable error as `writeReports`.
 */
export function prepareOutDir(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
    accessSync(outDir, constants.W_OK);
  } catch (error) {
    throw unwritable(outDir, error);
  }
}

/**
 * Writes report.md, report.json and report.html into `outDir`, creating it as needed. A failure
 * becomes one readable line for the user; the fs error stays attached as `cause`.
 */
export function writeReports(report: Report, outDir: string): { files: string[] } {
  const contents: [string, string][] = [
    ['report.md', renderMarkdown(report)],
    ['report.json', JSON.stringify(report, null, 2)],
    ['report.html', renderHtml(report)],
  ];
  try {
    mkdirSync(outDir, { recursive: true });
    return {
      files: contents.map(([name, text]) => {
        const file = join(outDir, name);
        writeFileSync(file, text);
        return file;
      }),
    };
  } catch (error) {
    throw unwritable(outDir, error);
  }
}

/** `reports/<timestamp>`, the ISO time with the colons that some filesystems refuse replaced. */
export function defaultOutDir(now: Date): string {
  return join('reports', now.toISOString().replace(/:/g, '-'));
}
