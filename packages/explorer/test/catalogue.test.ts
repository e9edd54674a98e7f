import { catalogue, explore, replay, type ScenarioVerdict, type ViolationVerdict } from '../src/index.js';
import { variants } from './strategies.js';

function violation(verdict: ScenarioVerdict): ViolationVerdict {
  if (verdict.verdict !== 'violation')
    throw new Error(`expected a violation, got ${JSON.stringify(verdict)}`);
  return verdict;
}

describe('each race-catalogue variant is convicted with the violation SPEC 7 predicts', () => {
  test('symbol-get/v5.17-race on add-vs-del: the group stays associated with a VM that let go of it', () => {
    expect(explore('add-vs-del', 'symbol-get/v5.17-race')).toMatchObject({
      verdict: 'violation',
      kind: 'stale-association',
      module: 'vfio',
      object: 'vfio group 26',
      preemptions: 1,
      steps: [
        { thread: 1, label: 'ioctl(device, SET_DEVICE_ATTR, GROUP_ADD group 26)', depth: 0 },
        { thread: 2, label: 'ioctl(device, SET_DEVICE_ATTR, GROUP_DEL group 26)', depth: 1 },
      ],
    });
  });

  test('symbol-get-file/v5.19-race on add-vs-del: GROUP_DEL in the window after kv->lock is dropped', () => {
    expect(explore('add-vs-del', 'symbol-get-file/v5.19-race')).toMatchObject({
      verdict: 'violation',
      preemptions: 1,
    });
  });

  // GROUP_DEL runs right after ADD's mutex_unlock, frees the kvg, and ADD then reads kvg->file.
  test('symbol-get-file/v5.19-race on add-vs-del: a use-after-free of the freed kvg', () => {
    expect(explore('add-vs-del', 'symbol-get-file/v5.19-race')).toMatchObject({
      verdict: 'violation',
      kind: 'use-after-free',
      object: 'kvm_vfio_group',
    });
  });

  test.each(['rmmod-vfio-vs-vm-close', 'close-group-vs-add'])(
    'get-ops/no-file-ref on %s: KVM calls through the table with the group file QEMU freed, no race needed',
    (scenario) => {
      expect(explore(scenario, 'get-ops/no-file-ref')).toMatchObject({
        verdict: 'violation',
        kind: 'use-after-free',
        object: 'file /dev/vfio/26',
        preemptions: 0,
      });
    },
  );

  test('register-ops/no-owner on rmmod-kvm_vfio-vs-create-device: kvm_vfio unloads under a live device', () => {
    expect(explore('rmmod-kvm_vfio-vs-create-device', 'register-ops/no-owner')).toMatchObject({
      verdict: 'violation',
      kind: 'use-after-free',
      module: 'kvm_vfio',
      object: 'kvm_vfio_ops.destroy',
      preemptions: 0,
    });
  });

  test('register-ops/unlocked on rmmod-kvm_vfio-vs-create-device: the unload slips between lookup and pin', () => {
    const verdict = violation(explore('rmmod-kvm_vfio-vs-create-device', 'register-ops/unlocked'));
    expect(verdict).toMatchObject({ kind: 'use-after-free', module: 'kvm_vfio', preemptions: 1 });
    expect(verdict.message).toMatch(/try_module_get on freed module kvm_vfio/);
  });
});

describe('every violation the catalogue reports replays from its schedule string', () => {
  const found = catalogue.flatMap((scenario) =>
    variants.flatMap((strategy) => {
      const verdict = explore(scenario, strategy);
      return verdict.verdict === 'violation' ? [[scenario.name, strategy, verdict] as const] : [];
    }),
  );

  test('the variants are convicted somewhere in the catalogue, each of them', () => {
    expect(new Set(found.map(([, strategy]) => strategy))).toEqual(new Set(variants));
  });

  test.each(found)('%s against %s', (scenario, strategy, verdict) => {
    expect(replay(scenario, strategy, verdict.schedule)).toMatchObject({
      verdict: 'violation',
      kind: verdict.kind,
      message: verdict.message,
      schedule: verdict.schedule,
      preemptions: verdict.preemptions,
      steps: verdict.steps,
      trace: verdict.trace,
    });
  });
});
