import { execFileSync } from 'node:child_process';

/** The commit a run was made from, and whether the work tree had changes; undefined outside a git checkout. */
export interface SourceRevision {
  readonly commit: string;
  readonly dirty: boolean;
}

function git(args: readonly string[], cwd: string): string {
  return execFileSync('git', [...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 5000,
  }).trim();
}

/** Asks git about the checkout this package was loaded from (the built CLI runs from its repository). */
export function sourceRevision(cwd: string = __dirname): SourceRevision | undefined {
  try {
    const commit = git(['rev-parse', 'HEAD'], cwd);
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    return { commit, dirty: git(['status', '--porcelain', '--untracked-files=no'], cwd) !== '' };
  } catch {
    return undefined;
  }
}
