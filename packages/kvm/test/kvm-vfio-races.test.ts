import { errno, type File, type Kernel } from '@coupling-lab/kernel';
import type { KvmVfioOptions } from '@coupling-lab/kvm';
import { add, del, groupFd, ok, onlyVm, rig, type Vmm, vmm } from './helpers';

/** The open file behind group `id`'s fd. */
function groupFile(v: Vmm, id: number): File {
  const file = v.p.fds.get(groupFd(v, id));
  if (file === undefined) throw new Error(`group ${id} has no file`);
  return file;
}

const variants: readonly [string, KvmVfioOptions][] = [
  ['v5.17', { setKvmOrder: 'unlocked-local' }],
  ['v5.19', { setKvmOrder: 'unlocked-kvg' }],
  ['set_kvm under kv->lock (9e0f4f2918c2)', { setKvmOrder: 'locked' }],
  ['v6.6 (73e2f19da508)', { setKvmOrder: 'locked', coherencyUnderLock: true }],
  [
    'v6.6 coherency with set_kvm after the unlock',
    { setKvmOrder: 'unlocked-local', coherencyUnderLock: true },
  ],
];

test.each(variants)(
  '%s: GROUP_ADD and GROUP_DEL put every file reference they took (fdget), whatever the outcome',
  (_name, kvmVfio) => {
    const { kernel, port } = rig({ kvmVfio });
    const v = vmm(kernel);
    const one = groupFile(v, 1);
    // The fd's reference, and while the group is added the one the port took.
    ok(add(v, 1), 'add 1');
    expect(one.count).toBe(2);
    expect(add(v, 1)).toBeLessThan(0); // -EEXIST: the duplicate is released
    expect(one.count).toBe(2);
    port.refusal = -errno.EINVAL;
    expect(add(v, 2)).toBe(-errno.EINVAL);
    expect(groupFile(v, 2).count).toBe(1);
    ok(del(v, 1), 'del 1');
    expect(one.count).toBe(1);
    expect(kernel.violations).toEqual([]);
  },
);

/** kv->lock's acquisitions during `run`. */
function kvLocks(kernel: Kernel, run: () => void): number {
  let locks = 0;
  kernel.hook = (point, subject) => {
    if (point === 'lock' && subject === 'kvm_vfio.lock') locks += 1;
  };
  run();
  kernel.hook = undefined;
  return locks;
}

test('73e2f19da508 stops bouncing kv->lock on GROUP_DEL too: v6.6 takes it once, v5.17 twice', () => {
  const v66 = rig({ kvmVfio: { coherencyUnderLock: true } });
  const a = vmm(v66.kernel);
  ok(add(a, 1), 'add');
  expect(kvLocks(v66.kernel, () => ok(del(a, 1), 'del'))).toBe(1);
  const v517 = rig();
  const b = vmm(v517.kernel);
  ok(add(b, 1), 'add');
  expect(kvLocks(v517.kernel, () => ok(del(b, 1), 'del'))).toBe(2);
});

test('release teardown re-tests coherency once the groups are gone: noncoherent DMA is unregistered with the device fd', () => {
  const { kernel, port } = rig({ kvmVfio: { teardown: 'release' } });
  port.nonCoherent.add(2);
  const v = vmm(kernel);
  ok(add(v, 2), 'add 2');
  expect(onlyVm(kernel).noncoherentDma).toBe(1);
  ok(v.p.close(v.device), 'close device');
  expect(onlyVm(kernel).noncoherentDma).toBe(0);
});

/**
 * GROUP_ADD of group 1 with a GROUP_DEL of it run by another thread of the VMM right where ADD
 * drops kv->lock, the window v5.17 and v5.19 leave before set_kvm.
 */
function addRacingDel(setKvmOrder: 'unlocked-local' | 'unlocked-kvg'): { run: () => number; v: Vmm } {
  const { kernel } = rig({ kvmVfio: { setKvmOrder } });
  const v = vmm(kernel);
  let raced = false;
  kernel.hook = (point, subject) => {
    if (raced || point !== 'unlock' || subject !== 'kvm_vfio.lock') return;
    raced = true;
    ok(del(v, 1), 'the racing GROUP_DEL');
  };
  return { run: () => add(v, 1), v };
}

test('v5.19 reads kvg->file after dropping kv->lock: a GROUP_DEL in that window frees the kvg, a use-after-free of kvm_vfio_group', () => {
  const { run } = addRacingDel('unlocked-kvg');
  expect(run).toThrow('use-after-free: access to freed kvm_vfio_group');
});

test('v5.17 passes set_kvm its own file pointer instead: the same window frees no memory KVM then reads', () => {
  const { run } = addRacingDel('unlocked-local');
  expect(run()).toBe(0);
});
