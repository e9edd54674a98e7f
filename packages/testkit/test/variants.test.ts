import { isVariant, registeredStrategies, type ViolationKind } from '@coupling-lab/lab';
import { conformanceCases, runCase } from '@coupling-lab/testkit';
import { variantStrategies } from './strategies';

interface Expectation {
  /** Why these cases fail: the variant's one difference (SPEC 7). */
  readonly why: string;
  /** The violation each listed case must fail with. */
  readonly kind?: ViolationKind;
  /** The cases that must fail; every other case must pass. */
  readonly cases: readonly string[];
}

/**
 * Where each race-catalogue variant's difference shows in the (sequential) conformance suite.
 * The two race variants and register-ops/unlocked differ only inside a race window, which
 * sequential syscalls never open: the explorer convicts them, not this suite.
 */
const expectations: Record<(typeof variantStrategies)[number], Expectation> = {
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
  expect([...variantStrategies].sort()).toEqual(registered.sort());
});

test('the expectations name only existing cases', () => {
  const names = new Set(conformanceCases.map((c) => c.name));
  for (const expectation of Object.values(expectations)) {
    for (const name of expectation.cases) expect(names).toContain(name);
  }
});

describe.each(variantStrategies)('%s', (variant) => {
  const expectation = expectations[variant];
  test.each(conformanceCases.map((c) => [`[${variant}] ${c.name}`, c] as const))(
    '%s',
    (_name, conformanceCase) => {
      const result = runCase(variant, conformanceCase);
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
