import {
  catalogue,
  explore,
  type LabScenario,
  type LabWorld,
  replay,
  type Step,
} from '@coupling-lab/explorer';
import { groupAttr, groupFd, KVM, qemuFixture, type QemuFixture } from '@coupling-lab/lab';
import { BrokerStrategy } from '@coupling-lab/example-custom-strategy';

type QemuStep = Step<LabWorld<QemuFixture>>;
const step = (label: string, run: (world: LabWorld<QemuFixture>) => number): QemuStep => ({ label, run });

/** The broker's own race, which the catalogue (it knows no vfio_service) cannot stage. */
const rmmodPublisherVsVm: LabScenario<QemuFixture> = {
  name: 'rmmod-vfio_service-vs-vm',
  description:
    'QEMU adds group 26, then closes its kvm-vfio device and VM, while an admin runs `rmmod vfio_service`.',
  invariant: "No violation: the publisher's table is never used, nor its module pinned, after it is freed.",
  appliesTo: () => true,
  setup: (sys) => qemuFixture(sys, [26]),
  threads: [
    [
      step('GROUP_ADD group 26', ({ state }) =>
        state.qemu.ioctl(
          state.device,
          KVM.SET_DEVICE_ATTR,
          groupAttr(state.qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(state, 26)),
        ),
      ),
      step('close(device)', ({ state }) => state.qemu.close(state.device)),
      step('close(vm)', ({ state }) => state.qemu.close(state.vm)),
    ],
    [step('rmmod vfio_service', ({ sys }) => sys.rmmod('vfio_service'))],
  ],
};

/** The broker with the publisher pinned after its lock is dropped: the lock is what closes the window. */
class PinOutsideLockBroker extends BrokerStrategy {
  override readonly name: string = 'broker (pin outside the lock)';
  protected override readonly pinUnderLock: boolean = false;
}

test('the publisher cannot be unloaded under a lookup or a held service: clean, exhaustively within the bound', () => {
  expect(explore(rmmodPublisherVsVm, BrokerStrategy)).toMatchObject({ verdict: 'clean', exhaustive: true });
});

test('pinning the publisher outside the broker lock is convicted, and the schedule replays', () => {
  const verdict = explore(rmmodPublisherVsVm, new PinOutsideLockBroker());
  if (verdict.verdict !== 'violation') throw new Error(`expected a violation, got ${verdict.verdict}`);
  expect(verdict).toMatchObject({ kind: 'use-after-free', module: 'vfio_service' });
  // rmmod runs nested inside GROUP_ADD, between the lookup and the pin.
  expect(verdict.steps.map((s) => [s.thread, s.depth])).toEqual([
    [1, 0],
    [2, 1],
  ]);
  expect(replay(rmmodPublisherVsVm, new PinOutsideLockBroker(), verdict.schedule)).toMatchObject({
    verdict: 'violation',
    kind: 'use-after-free',
  });
});

test.each(catalogue.map((scenario) => [scenario.name, scenario] as const))(
  'race catalogue: %s is clean or skipped',
  (_name, scenario) => {
    expect(['clean', 'skipped']).toContain(explore(scenario, BrokerStrategy).verdict);
  },
);
