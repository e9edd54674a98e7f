import { isVariant, type LinuxName, registeredStrategies, type ViolationKind } from '@coupling-lab/lab';
import { conformanceCases, runCase } from '@coupling-lab/testkit';
import { historyVariants, variantStrategies } from './strategies';

interface Expectation {
  /** Why these cases fail: the variant's one difference (SPEC 7). */
  readonly why: string;
  /** The violation each listed case must fail with. */
  readonly kind?: ViolationKind;
  /** The cases that must fail; every other case must pass. */
  readonly cases: readonly string[];
  /** The kernel the variant is checked on (v5.17 unless it runs only on another). */
  readonly linux?: LinuxName;
}

/** A history variant whose bug only a race shows, checked on v6.6. */
const raceOnV66 = (why: string): Expectation => ({ why, cases: [], linux: 'v6.6' });

/**
 * Where each race-catalogue variant's difference shows in the (sequential) conformance suite.
 * The two race variants and register-ops/unlocked differ only inside a race window, which
 * sequential syscalls never open: the explorer convicts them, not this suite.
 */
const all = [...variantStrategies, ...historyVariants] as const;

const expectations: Record<(typeof all)[number], Expectation> = {
  'get-ops/v1-posted': {
    why: 'set_kvm through kvg->ops on kvg->filp after kv->lock: only a racing GROUP_DEL shows it',
    cases: [],
  },
  'symbol-get-file/v6.1': {
    why:
      "kvm-vfio's .destroy keeps the groups until the VM goes, as v5.17 did; the recursive group_lock needs VFIO to " +
      'make the last put, which only a race (or an order the suite does not use) gives. With device files (v6.6 ' +
      'only: v6.1 had none) .destroy also makes a reference cycle: KVM holds the device file until the VM goes, and ' +
      'the bound device holds the VM',
    cases: [
      'teardown: device fd closed first, the VM keeps its groups until the VM fd closes (v5.17; on v6.6 the device fd lets them go)',
      'device files: closing the device fd while KVM holds it keeps the device bound until the kvm-vfio device lets go (v6.6)',
      "device files: FILE_ADD before BIND (QEMU's order): the bind takes the VM, which outlives its fds until the device closes (v6.6)",
    ],
    linux: 'v6.6',
  },
  'symbol-get-file/v6.2': raceOnV66(
    'set_kvm under group_lock: no other lock is taken around it without vfio-ap',
  ),
  'symbol-get-file/vfio-ap': raceOnV66(
    'the fixed code: a driver taking kvm->lock in open_device closes no cycle',
  ),
  'symbol-get-file/v6.2-vfio-ap': {
    why:
      "wherever a case opens a VFIO device (group_lock, then the driver's kvm->lock) and then releases the kvm-vfio " +
      'device (kvm->lock, then group_lock for set_kvm), lockdep sees both orders: sequential syscalls are enough',
    kind: 'lock-order',
    cases: [
      'bad input: close of an fd that is not open is -EBADF',
      'bad input: ioctl on an fd that is not open is -EBADF',
      'bad input: /dev/kvm answers KVM_GET_API_VERSION and refuses other ioctls with -EINVAL',
      'bad input: a VM fd refuses unknown ioctls with -ENOTTY and KVM_CREATE_DEVICE without a struct with -EFAULT',
      'bad input: SET_DEVICE_ATTR and HAS_DEVICE_ATTR without a struct are -EFAULT',
      'bad input: VFIO ioctls on files of the wrong kind are refused',
      'bad input: GROUP_ADD and GROUP_DEL of every non-VFIO file are -EINVAL and -ENOENT (a VFIO device file too on v5.17)',
    ],
    linux: 'v6.6',
  },
  'symbol-get-file/put-helpers': raceOnV66(
    'kvm.ko unpinned while VFIO holds a VM: only a racing rmmod kvm shows it',
  ),
  'symbol-get-file/kvm-module-ref': raceOnV66('the helpers with kvm.ko pinned: clean'),
  'symbol-get/v5.17-race': { why: 'set_kvm after kv->lock: only a racing GROUP_DEL shows it', cases: [] },
  'symbol-get-file/v5.19-race': {
    why: 'set_kvm(kvg->file) after kv->lock: only a racing GROUP_DEL shows it',
    cases: [],
  },
  'register-ops/unlocked': {
    why: 'the owner reference taken after the table lock: only a racing rmmod shows it',
    cases: [],
  },
  'register-ops/no-owner': {
    why: 'nothing pins kvm_vfio while a device uses its ops: rmmod kvm_vfio succeeds under a live VM, whose next ioctl calls freed code',
    kind: 'use-after-free',
    cases: [
      "pinning: no module can be unloaded from under a VM that holds a group (vfio_pci's unbind waits for it on v5.17)",
    ],
  },
  'get-ops/no-file-ref': {
    why:
      'KVM keeps a bare file pointer: wherever the group file is freed before the VM is torn down (QEMU closing the ' +
      'group fd first, or exiting with it above the VM fds, as exit_task_work releases the newest file first), VM ' +
      'teardown calls through the ops table with the freed file',
    kind: 'use-after-free',
    cases: [
      'teardown: QEMU closes its group and container fds before the VM; the VM keeps the group until it goes',
      'teardown: QEMU exits with its VM fds below its group fd',
      'pinning: rmmod vfio_pci while a VM holds a group sleeps until the VM lets go, then completes (v5.17; at once on v6.6)',
    ],
  },
};

test('every registered variant has an expectation', () => {
  const registered = registeredStrategies()
    .filter(isVariant)
    .map((strategy) => strategy.name);
  expect([...all].sort()).toEqual(registered.sort());
});

test('the expectations name only existing cases', () => {
  const names = new Set(conformanceCases.map((c) => c.name));
  for (const expectation of Object.values(expectations)) {
    for (const name of expectation.cases) expect(names).toContain(name);
  }
});

describe.each(all)('%s', (variant) => {
  const expectation = expectations[variant];
  test.each(conformanceCases.map((c) => [`[${variant}] ${c.name}`, c] as const))(
    '%s',
    (_name, conformanceCase) => {
      const result = runCase(variant, conformanceCase, expectation.linux);
      if (expectation.cases.includes(conformanceCase.name)) {
        // The variant's documented difference must show here, as the expected violation.
        expect({ ok: result.ok, violation: result.violation }).toEqual({
          ok: false,
          violation: expectation.kind,
        });
      } else if (!result.ok) {
        throw new Error(
          `${variant} must pass this case (only its documented difference may fail): ${result.error}`,
        );
      }
    },
  );
});
