import { errno, KVM, Process, VFIO } from '@coupling-lab/lab';
import { DifferentialError, differentialFuzz, runSteps, type Step } from '@coupling-lab/testkit';
import { realStrategies } from './strategies';

const first = { index: 0 } as const;
const container = { pick: 'container', ...first } as const;
const group = { pick: 'group', ...first } as const;
const device = { pick: 'kvm-device', ...first } as const;

/** Runs `steps` on every real strategy with the oracle; returns how often it checked each answer. */
function checked(steps: readonly Step[]): Map<string, number> {
  const oracleChecks = new Map<string, number>();
  runSteps(realStrategies, steps, undefined, { oracleChecks });
  return oracleChecks;
}

describe('the error paths random sequences rarely or never reach, on purpose and held to the oracle', () => {
  test('VFIO_SET_IOMMU of a type no backend takes is -ENODEV (vfio_ioctl_set_iommu)', () => {
    const checks = checked([
      { op: 'open', proc: 0, path: '/dev/vfio/vfio' },
      { op: 'open', proc: 0, path: '/dev/vfio/26' },
      { op: 'setContainer', proc: 0, group, container },
      { op: 'setIommu', proc: 0, container, type: VFIO.SPAPR_TCE_IOMMU },
      { op: 'setIommu', proc: 0, container, type: VFIO.TYPE1v2_IOMMU },
    ]);
    expect(checks.get('setIommu -ENODEV')).toBe(1);
    expect(checks.get('setIommu 0')).toBe(1);
  });

  test('a group fd opened twice is -EBUSY, and so is reopening one whose attachment KVM still holds', () => {
    const checks = checked([
      { op: 'open', proc: 0, path: '/dev/vfio/26' },
      { op: 'open', proc: 1, path: '/dev/vfio/26' },
      { op: 'close', proc: 0, fd: group },
      { op: 'attach', proc: 0, group: 26, reuse: false },
      { op: 'vm', proc: 0, device: true },
      { op: 'add', proc: 0, device, fd: group },
      { op: 'close', proc: 0, fd: group },
      // The container still holds the group through KVM's container user: vfio_group_fops_open -EBUSY.
      { op: 'open', proc: 1, path: '/dev/vfio/26' },
    ]);
    expect(checks.get('open -EBUSY')).toBe(2);
    expect(checks.get('add 0')).toBe(1);
  });

  test('modprobe vfio_pci fails with -EEXIST while its exit sleeps on container_q, and rmmod is -EBUSY', () => {
    const checks = checked([
      { op: 'attach', proc: 0, group: 26, reuse: false },
      { op: 'rmmod', module: 'vfio_pci' },
      { op: 'modprobe', module: 'vfio_pci' },
      { op: 'rmmod', module: 'vfio_pci' },
    ]);
    expect(checks.get('modprobe -EEXIST')).toBe(1);
    expect(checks.get('rmmod -EBUSY')).toBe(1);
  });

  test('an open VFIO device fd pins vfio_pci: rmmod is -EWOULDBLOCK; with nothing open it unloads and modprobe brings it back', () => {
    const checks = checked([
      { op: 'attach', proc: 0, group: 26, reuse: false },
      { op: 'getDeviceFd', proc: 0, group, device: '0000:01:00.0' },
      { op: 'rmmod', module: 'vfio_pci' },
      { op: 'exit', proc: 0 },
      { op: 'rmmod', module: 'vfio_pci' },
      { op: 'open', proc: 0, path: '/dev/vfio/26' },
      { op: 'modprobe', module: 'vfio_pci' },
      { op: 'open', proc: 0, path: '/dev/vfio/26' },
    ]);
    expect(checks.get('rmmod -EAGAIN')).toBe(1);
    expect(checks.get('rmmod 0')).toBe(1);
    expect(checks.get('open -ENOENT')).toBe(1);
    expect(checks.get('modprobe 0')).toBe(1);
  });
});

describe('a bug in code every strategy shares: VFIO_SET_IOMMU with no group answering -ENXIO instead of -EINVAL', () => {
  // Injected at the ioctl entry every strategy's system goes through, so all five strategies
  // change alike: the cross-strategy comparison has nothing to tell apart.
  const ioctl = Process.prototype.ioctl;
  beforeEach(() => {
    jest.spyOn(Process.prototype, 'ioctl').mockImplementation(function (this: Process, fd, request, arg) {
      const result = ioctl.call(this, fd, request, arg);
      return request === VFIO.SET_IOMMU && result === -errno.EINVAL ? -errno.ENXIO : result;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const steps: Step[] = [
    { op: 'open', proc: 0, path: '/dev/vfio/vfio' },
    { op: 'setIommu', proc: 0, container, type: VFIO.TYPE1v2_IOMMU },
  ];

  test('on a fixed sequence: the strategies agree, and only the oracle says Linux answers -EINVAL', () => {
    expect(runSteps(realStrategies, steps, undefined, { oracle: false })).toHaveLength(2);
    expect(() => runSteps(realStrategies, steps)).toThrow(DifferentialError);
    expect(() => runSteps(realStrategies, steps)).toThrow(
      /every strategy gave \[-ENXIO\], Linux v5\.17 gives \[-EINVAL\] \(oracle\)/,
    );
  });

  test('fuzzing: the cross-strategy check alone passes the same seed the oracle fails', () => {
    // Seed 1 with 200 sequences reaches SET_IOMMU on a container without a group (most
    // sequences do: every `attach` whose group open is refused makes one).
    const options = { numRuns: 200, seed: 1 };
    const alone = differentialFuzz(realStrategies, { ...options, oracle: false });
    expect(alone.passed).toBe(true);
    const withOracle = differentialFuzz(realStrategies, options);
    expect(withOracle.passed).toBe(false);
    expect(withOracle.failure?.error).toContain('Linux v5.17 gives');
    expect(withOracle.failure?.error).toContain('-EINVAL');
  }, 60_000);
});

test('without a shared bug the oracle agrees with every strategy on the KVM side too (GROUP_DEL of a file never added is -ENOENT)', () => {
  const checks = checked([
    { op: 'attach', proc: 0, group: 26, reuse: false },
    { op: 'vm', proc: 0, device: true },
    { op: 'del', proc: 0, device, fd: group },
    {
      op: 'attr',
      proc: 0,
      device,
      request: 'get',
      group: KVM.DEV_VFIO_GROUP,
      attr: KVM.DEV_VFIO_GROUP_ADD,
      fd: group,
    },
  ]);
  expect(checks.get('del -ENOENT')).toBe(1);
  expect(checks.get('attr -EPERM')).toBe(1);
});
