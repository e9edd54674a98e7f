import { DEFAULT_BOUND, renderBugReport, replay } from '@coupling-lab/explorer';
import { SCENARIO, THREAD_NAMES, unloadRace, type UnloadRace } from '@coupling-lab/example-unload-race';

// Explored on first use inside a test, so a failure is that test's, not "suite failed to run".
let explored: UnloadRace | undefined;
const race = (): UnloadRace => (explored ??= unloadRace());

test('register-ops/no-owner is convicted of a use-after-free in kvm_vfio, and the replay gives the same violation', () => {
  const { convicted, replayed } = race();
  expect(convicted).toMatchObject({
    kind: 'use-after-free',
    module: 'kvm_vfio',
    object: 'kvm_vfio_ops.destroy',
  });
  expect(replayed).toMatchObject({
    verdict: 'violation',
    kind: convicted.kind,
    message: convicted.message,
    schedule: convicted.schedule,
  });
});

test('the real register-ops is clean on the same scenario, every schedule within the bound', () => {
  const { clean, convicted } = race();
  expect(clean).toMatchObject({
    verdict: 'clean',
    exhaustive: true,
    bound: DEFAULT_BOUND,
  });
  expect(clean.schedules).toBeGreaterThan(convicted.schedules);
});

test('no-owner needs no preemption: QEMU closes the VM after the admin unloaded kvm_vfio, and that close faults', () => {
  const { convicted, convictedReport } = race();
  expect(convicted.preemptions).toBe(0);
  expect(convictedReport.steps.every((step) => step.depth === 0 && step.preempted === undefined)).toBe(true);
  const rmmod = convictedReport.steps.findIndex((step) => step.thread === 2);
  expect(convictedReport.steps[rmmod]?.label).toBe('rmmod kvm_vfio');
  const faulted = convictedReport.steps.filter((step) => step.faulted === true);
  expect(faulted).toEqual([expect.objectContaining({ thread: 1, label: 'close(vm)' })]);
  expect(convictedReport.steps.findIndex((step) => step.faulted === true)).toBeGreaterThan(rmmod);
});

test('the report puts each step in its thread’s column, in start order, names the threads and ends with the replay command', () => {
  const { convicted, convictedReport } = race();
  const lines = renderBugReport(convictedReport).split('\n');
  const header = lines.find((line) => line.includes('thread A (') && line.includes('│'));
  expect(header?.split('│').map((cell) => cell.trim())).toEqual([
    `thread A (${THREAD_NAMES[0]})`,
    `thread B (${THREAD_NAMES[1]})`,
  ]);
  const rows = lines.filter((line) => /^\s+\d+ {2}/.test(line));
  const column = (line: string): 1 | 2 => (/│\s*\S/.test(line) ? 2 : 1);
  expect(rows.map(column)).toEqual(convicted.steps.map((step) => step.thread));
  expect(lines[lines.length - 2]).toBe(
    `  coupling-lab explore ${SCENARIO} --strategy register-ops/no-owner --replay '${convicted.schedule}'`,
  );
  expect(replay(SCENARIO, 'register-ops/no-owner', convicted.schedule)).toMatchObject({
    message: convicted.message,
  });
});

test('register-ops/unlocked nests the unload inside CREATE_DEVICE, right after the table lock is released', () => {
  const { nested, nestedReport } = race();
  expect(nested.steps.map((step) => step.depth)).toEqual([0, 1]);
  const point = Number(nested.schedule.split('@')[1]);
  expect(nestedReport.steps[1]).toMatchObject({
    thread: 2,
    label: 'rmmod kvm_vfio',
    preempted: { inside: 1, point, primitive: 'unlock kvm_device_ops_lock' },
  });
  expect(nestedReport.steps[0]).toMatchObject({ thread: 1, faulted: true });
  expect(renderBugReport(nestedReport)).toContain(
    `↳ rmmod kvm_vfio  (inside step 1, at point ${point}: unlock kvm_device_ops_lock)`,
  );
});
