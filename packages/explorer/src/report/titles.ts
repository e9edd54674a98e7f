import type { ReportableVerdict } from './bug-report.js';

/**
 * The first line of each checker's report, in the words the kernel's own checker uses:
 * lockdep's two warnings verbatim (kernel/locking/lockdep.c: print_circular_bug_header,
 * print_deadlock_bug), KASAN's and kmemleak's bugs as "BUG: <kind> of <object>".
 */
const titles: Record<ReportableVerdict['kind'], string> = {
  'use-after-free': 'BUG: use-after-free',
  'refcount-underflow': 'WARNING: refcount underflow',
  leak: 'BUG: memory leak',
  'dangling-reference': 'WARNING: dangling reference',
  'stale-association': 'BUG: stale association',
  'lock-order': 'WARNING: possible circular locking dependency detected',
  'recursive-lock': 'WARNING: possible recursive locking detected',
  deadlock: 'BUG: deadlock',
};

/** Lockdep's titles name no object: the lock classes follow in the report's body. */
const namesObject = (kind: ReportableVerdict['kind']): boolean =>
  kind !== 'lock-order' && kind !== 'recursive-lock';

export function bugTitle(kind: ReportableVerdict['kind'], object: string | undefined): string {
  const title = titles[kind];
  return object !== undefined && namesObject(kind) ? `${title} of ${object}` : title;
}
