import type { ViolationVerdict } from '@coupling-lab/explorer';
import { timeline, unloadRace } from '@coupling-lab/example-unload-race';

const race = unloadRace();

test('register-ops/no-owner is convicted of a use-after-free in kvm_vfio, and the replay gives the same violation', () => {
  expect(race.convicted).toMatchObject({
    kind: 'use-after-free',
    module: 'kvm_vfio',
    object: 'kvm_vfio_ops.destroy',
  });
  expect(race.replayed).toMatchObject({
    verdict: 'violation',
    kind: race.convicted.kind,
    message: race.convicted.message,
    schedule: race.convicted.schedule,
  });
});

test('the real register-ops is clean on the same scenario, every schedule within the bound', () => {
  expect(race.clean).toMatchObject({
    verdict: 'clean',
    exhaustive: true,
    bound: { maxDepth: 2, maxPreemptions: 2 },
  });
  expect(race.clean.schedules).toBeGreaterThan(race.convicted.schedules);
});

test('the timeline puts each step in its thread column, in the order the steps started, and ends with the violation', () => {
  const lines = timeline(race.convicted, { names: ['QEMU', 'admin'] }).split('\n');
  expect(lines[0]).toMatch(/^\s+thread A \(QEMU\)\s+│ thread B \(admin\)$/);
  const column = (line: string): 'A' | 'B' => (/│\s*\S/.test(line) ? 'B' : 'A');
  const rows = lines.filter((line) => /^\s+\d+ {2}/.test(line));
  expect(rows.map(column)).toEqual(race.convicted.steps.map((step) => (step.thread === 1 ? 'A' : 'B')));
  expect(rows[2]).toMatch(/│ rmmod kvm_vfio$/);
  expect(lines[lines.length - 1]).toBe(`  ✗  ${race.convicted.message}`);
});

test('a nested step is marked, with the step and the preemption point it interrupted', () => {
  expect(race.nested.steps.map((step) => step.depth)).toEqual([0, 1]);
  const point = race.nested.schedule.split('@')[1];
  const text = timeline(race.nested);
  expect(text).toMatch(/^\s+thread A\s+│ thread B$/m);
  expect(text).toContain(`│ ↳ rmmod kvm_vfio  (inside step 1, at point ${point}: `);
});

test('the timeline of a made-up schedule: nesting two deep, three threads, the primitive from the trace', () => {
  const verdict: ViolationVerdict = {
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
  };
  expect(timeline(verdict, { names: ['QEMU'] })).toBe(
    [
      '     thread A (QEMU) │ thread B                                               │ thread C',
      '     ────────────────┼────────────────────────────────────────────────────────┼───────────────────────────────────────────────────',
      '  1  open            │                                                        │',
      '  2                  │ ↳ rmmod x  (inside step 1, at point 2: module-state x) │',
      '  3                  │                                                        │   ↳ close  (inside step 2, at point 3: file-put f)',
      '  4                  │ rmmod y                                                │',
      '     ────────────────┼────────────────────────────────────────────────────────┼───────────────────────────────────────────────────',
      '  ✗  use-after-free: call to x_ops.f of freed module x',
    ].join('\n'),
  );
});
