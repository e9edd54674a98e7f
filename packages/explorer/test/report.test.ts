import {
  bugReport,
  explore,
  labBugReport,
  locateFault,
  renderBugReport,
  renderInterleaving,
  replay,
  shellWord,
  type ReportableVerdict,
  type ViolationVerdict,
} from '../src/index.js';
import { variants } from './strategies.js';

/** Splits a command line the way sh does for plain words and '…' (with '\'' for a quote inside). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (const match of line.matchAll(pattern))
    words.push(match[1] !== undefined ? match[1].replace(/'\\''/g, "'") : (match[2] ?? ''));
  return words;
}

function convict(scenario: string, strategy: string): ViolationVerdict {
  const verdict = explore(scenario, strategy);
  if (verdict.verdict !== 'violation')
    throw new Error(`${strategy} on ${scenario}: expected a violation, got ${verdict.verdict}`);
  return verdict;
}

const catalogueScenario: Record<(typeof variants)[number], string> = {
  'symbol-get/v5.17-race': 'add-vs-del',
  'symbol-get-file/v5.19-race': 'add-vs-del',
  'get-ops/no-file-ref': 'close-group-vs-add',
  'register-ops/no-owner': 'rmmod-kvm_vfio-vs-create-device',
  'register-ops/unlocked': 'rmmod-kvm_vfio-vs-create-device',
};

test.each(variants)(
  'the report of %s names the kind, both threads, and a replay command that re-runs to the same verdict',
  (strategy) => {
    const scenario = catalogueScenario[strategy];
    const verdict = convict(scenario, strategy);
    const report = labBugReport(scenario, strategy, verdict);
    expect(report.title.startsWith('BUG: ') || report.title.startsWith('WARNING: ')).toBe(true);
    expect(report.title).toContain(verdict.kind.replace('-', ' ').split(' ')[0]);
    expect(report.threads.map((thread) => thread.letter)).toEqual(['A', 'B']);
    expect(new Set(report.steps.map((step) => step.thread))).toEqual(new Set([1, 2]));
    expect(report.steps.map((step) => step.label)).toEqual(verdict.steps.map((step) => step.label));
    const [program, command, scenarioWord, flag, strategyWord, replayFlag, schedule, ...rest] = shellWords(
      report.replay ?? '',
    );
    expect([program, command, flag, replayFlag, rest]).toEqual([
      'coupling-lab',
      'explore',
      '--strategy',
      '--replay',
      [],
    ]);
    const again = replay(scenarioWord ?? '', strategyWord ?? '', schedule ?? '');
    expect(again).toMatchObject({
      verdict: 'violation',
      kind: verdict.kind,
      message: verdict.message,
      schedule: verdict.schedule,
    });
  },
);

test('the v5.19 use-after-free is raised in thread A, resumed after the GROUP_DEL that ran nested inside it', () => {
  const verdict = convict('add-vs-del', 'symbol-get-file/v5.19-race');
  const report = labBugReport('add-vs-del', 'symbol-get-file/v5.19-race', verdict);
  expect(report).toMatchObject({
    title: 'BUG: use-after-free of kvm_vfio_group',
    fault: { in: 'step', step: 1, thread: 1 },
  });
  const [add, del] = report.steps;
  expect(add).toMatchObject({ thread: 1, depth: 0, faulted: true });
  expect(add?.preempted).toBeUndefined();
  const point = Number(verdict.schedule.split('@')[1]);
  expect(del).toMatchObject({ thread: 2, depth: 1, preempted: { inside: 1, point } });
  expect(del?.faulted).toBeUndefined();
  // The primitive named at the point is the point-th non-syscall entry of the trace.
  expect(del?.preempted?.primitive).toBe(
    verdict.trace.filter((step) => step.point !== 'syscall').map((step) => `${step.point} ${step.subject}`)[
      point - 1
    ],
  );
});

test('a violation raised between syscalls or at teardown is located there, not in a step', () => {
  const stale = convict('add-vs-del', 'symbol-get/v5.17-race');
  expect(locateFault('add-vs-del', 'symbol-get/v5.17-race', stale.schedule)).toEqual({
    in: 'check',
    after: stale.steps.length,
  });
  const report = labBugReport('add-vs-del', 'symbol-get/v5.17-race', stale);
  expect(report.steps.some((step) => step.faulted === true)).toBe(false);
  expect(renderBugReport(report)).toContain(
    `raised by the lab's check between syscalls, after step ${stale.steps.length}`,
  );
});

test('a clean schedule locates no fault', () => {
  expect(locateFault('add-vs-del', 'symbol-get', '1 2')).toBeUndefined();
});

test('the text block carries the title, the message, who faulted, both columns, the trace tail and the replay command', () => {
  const verdict = convict('rmmod-kvm_vfio-vs-create-device', 'register-ops/no-owner');
  const report = labBugReport('rmmod-kvm_vfio-vs-create-device', 'register-ops/no-owner', verdict, {
    threadNames: ['QEMU', 'admin'],
  });
  const text = renderBugReport(report);
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^=+$/);
  expect(lines[lines.length - 1]).toBe(lines[0]);
  expect(lines[1]).toBe(report.title);
  expect(text).toContain(verdict.message);
  const faulted = report.steps.find((step) => step.faulted === true);
  expect(text).toContain(`raised by thread A (QEMU) in step ${faulted?.index}: ${faulted?.label}`);
  expect(text).toMatch(/thread A \(QEMU\)\s+│ thread B \(admin\)/);
  for (const step of verdict.trace.slice(-12))
    expect(text).toMatch(
      new RegExp(`  [AB-]  ${step.point}\\s+${step.subject.replace(/[.()]/g, '\\$&')}\\n`),
    );
  expect(text).toContain(`replay:\n  ${report.replay}`);
});

/** A made-up verdict: three threads, nesting two deep, the primitive at each point in the trace. */
function madeUp(overrides: Partial<ReportableVerdict> = {}): ReportableVerdict {
  return {
    verdict: 'violation',
    kind: 'use-after-free',
    message: 'use-after-free: call to x_ops.f of freed module x',
    schedule: '1 2@2 3@3 2',
    preemptions: 2,
    steps: [
      { thread: 1, label: 'open', depth: 0 },
      { thread: 2, label: 'rmmod x', depth: 1 },
      { thread: 3, label: 'close', depth: 2 },
      { thread: 2, label: 'rmmod y', depth: 0 },
    ],
    trace: [
      { thread: 1, point: 'syscall', subject: 'open' },
      { thread: 1, point: 'file-get', subject: 'f' },
      { thread: 2, point: 'module-state', subject: 'x' },
      { thread: 3, point: 'file-put', subject: 'f' },
    ],
    schedules: 3,
    pruned: 0,
    bound: { maxDepth: 2, maxPreemptions: 2 },
    ...overrides,
  };
}

test('three threads get three columns; each step sits in its thread’s column, nested steps say where they ran', () => {
  const report = bugReport(madeUp(), { threadNames: ['QEMU'], fault: { in: 'step', step: 4, thread: 2 } });
  const lines = renderInterleaving(report.steps, report.threads).split('\n');
  const header = lines[0] ?? '';
  expect(header.split('│').map((cell) => cell.trim())).toEqual(['thread A (QEMU)', 'thread B', 'thread C']);
  const rows = lines.filter((line) => /^\s+\d+ {2}/.test(line));
  const column = (line: string): number =>
    line
      .split('│')
      .findIndex((cell, index) => (index === 0 ? cell.replace(/^\s+\d+ {2}/, '') : cell).trim() !== '');
  expect(rows.map(column)).toEqual([0, 1, 2, 1]);
  expect(rows[1]).toContain('↳ rmmod x  (inside step 1, at point 2: module-state x)');
  expect(rows[2]).toContain('  ↳ close  (inside step 2, at point 3: file-put f)');
  expect(rows[3]).toMatch(/rmmod y {2}✗/);
});

test('when the columns do not fit the width, each step gets its own lines, none wider than the width', () => {
  const report = bugReport(madeUp(), { threadNames: ['QEMU', 'admin shell', 'udev'] });
  const wide = renderInterleaving(report.steps, report.threads);
  const width = 40;
  expect(Math.max(...wide.split('\n').map((line) => line.length))).toBeGreaterThan(width);
  const narrow = renderInterleaving(report.steps, report.threads, { width }).split('\n');
  for (const line of narrow) expect(line.length).toBeLessThanOrEqual(width);
  expect(narrow.join(' ')).toContain('thread A (QEMU), thread B (admin shell), thread C (udev)');
  expect(
    narrow.filter((line) => /^\s+\d+ {2}[ABC] /.test(line)).map((line) => line.trim().split(/\s+/)[1]),
  ).toEqual(['A', 'B', 'C', 'B']);
  expect(narrow.map((line) => line.trim()).join(' ')).toContain('(inside step 2, at point 3: file-put f)');
});

test('a lock-order chain is rendered as lockdep renders a circular dependency, with each edge’s schedule', () => {
  // As the kernel's lockdep gives it: the new dependency first, then the path back.
  const chain = [
    { held: 'kvm_vfio.lock', taken: 'kvm.lock', schedule: '2 1' },
    { held: 'kvm.lock', taken: 'kvm_vfio.lock', schedule: '1 2' },
  ];
  const text = renderBugReport(
    bugReport(madeUp({ kind: 'lock-order', object: 'kvm.lock <-> kvm_vfio.lock', chain }), {
      fault: { in: 'step', step: 1, thread: 1 },
    }),
  );
  expect(text.split('\n')[1]).toBe('WARNING: possible circular locking dependency detected');
  const expectInOrder = (parts: string[]): void => {
    let at = -1;
    for (const part of parts) {
      const next = text.indexOf(part, at + 1);
      expect({ part, found: next > at }).toEqual({ part, found: true });
      at = next;
    }
  };
  expectInOrder([
    'thread A is trying to acquire lock:\n (kvm.lock)',
    'but task is already holding lock:\n (kvm_vfio.lock)',
    'which lock already depends on the new lock.',
    '-> #1 (kvm_vfio.lock):\n       taken while holding kvm.lock, first in schedule "1 2"',
    '-> #0 (kvm.lock):\n       taken while holding kvm_vfio.lock, first in schedule "2 1"',
    ' Possible unsafe locking scenario:',
    '  lock(kvm_vfio.lock);\n                               lock(kvm.lock);\n                               lock(kvm_vfio.lock);\n  lock(kvm.lock);',
    ' *** DEADLOCK ***',
  ]);
  expect(text).not.toContain('Chain exists of');
});

test('a longer chain names its middle lock; a chain that is not a cycle is listed without a scenario', () => {
  const three = [
    { held: 'a', taken: 'b', schedule: 's1' },
    { held: 'b', taken: 'c', schedule: 's2' },
    { held: 'c', taken: 'a', schedule: 's3' },
  ];
  const text = renderBugReport(bugReport(madeUp({ kind: 'lock-order', chain: three })));
  // The new dependency a -> b closes the recorded path b -> c -> a.
  expect(text).toContain(
    'a thread is trying to acquire lock:\n (b)\n\nbut task is already holding lock:\n (a)',
  );
  expect(text).toContain('Chain exists of:\n  b --> c --> a');
  expect(text.indexOf('-> #2 (a):')).toBeLessThan(text.indexOf('-> #1 (c):'));
  expect(text.indexOf('-> #1 (c):')).toBeLessThan(text.indexOf('-> #0 (b):'));
  const broken = renderBugReport(bugReport(madeUp({ kind: 'lock-order', chain: three.slice(0, 2) })));
  expect(broken).toContain('-> #1 (c):');
  expect(broken).not.toContain('Possible unsafe locking scenario');
});

test('a lock-order verdict without a chain invents none', () => {
  const text = renderBugReport(
    bugReport(
      madeUp({
        kind: 'lock-order',
        message: 'lock-order: b taken under a, and elsewhere the other way round',
      }),
    ),
  );
  expect(text.split('\n')[1]).toBe('WARNING: possible circular locking dependency detected');
  expect(text).not.toMatch(/trying to acquire|-> #|Possible unsafe/);
});

test('recursive locking is rendered as lockdep’s "possible recursive locking detected"', () => {
  const text = renderBugReport(
    bugReport(
      madeUp({
        kind: 'recursive-lock',
        object: 'kv.lock',
        message: 'thread 1 takes kv.lock, which it already holds',
      }),
      {
        fault: { in: 'step', step: 1, thread: 1 },
      },
    ),
  );
  expect(text.split('\n')[1]).toBe('WARNING: possible recursive locking detected');
  expect(text).toContain(
    '       CPU0\n       ----\n  lock(kv.lock);\n  lock(kv.lock);\n\n *** DEADLOCK ***\n\n May be due to missing lock nesting notation',
  );
});

test('a deadlock lists who waits for what', () => {
  const waiting = [
    { thread: 1, label: 'open', on: 'kvm.lock' },
    { thread: 2, label: 'rmmod x', on: 'kvm_vfio.lock' },
  ];
  const report = bugReport(madeUp({ kind: 'deadlock', message: 'deadlock: every thread waits', waiting }), {
    threadNames: ['QEMU'],
  });
  expect(report.title).toBe('BUG: deadlock');
  const text = renderBugReport(report);
  expect(text).toContain(
    'waiting:\n  thread A (QEMU) in open waits for kvm.lock\n  thread B in rmmod x waits for kvm_vfio.lock',
  );
});

test('shell words: plain ones stay, others are single-quoted with quotes escaped', () => {
  expect(shellWord('register-ops/no-owner')).toBe('register-ops/no-owner');
  expect(shellWord('1 2@9')).toBe("'1 2@9'");
  expect(shellWords(shellWord("it's"))).toEqual(["it's"]);
});
