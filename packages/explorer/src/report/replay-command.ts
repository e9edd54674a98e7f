import { DEFAULT_LINUX } from '@coupling-lab/lab';

/** Quotes one shell word for sh/bash: as is when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@=+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that re-runs a schedule: paste it into a shell at the repository root after a
 * build. A kernel other than the default is named (`--linux v6.6`).
 */
export function replayCommand(scenario: string, strategy: string, schedule: string, linux?: string): string {
  return [
    'coupling-lab',
    'explore',
    scenario,
    '--strategy',
    strategy,
    ...(linux === undefined || linux === DEFAULT_LINUX ? [] : ['--linux', linux]),
    '--replay',
    schedule,
  ]
    .map(shellWord)
    .join(' ');
}
