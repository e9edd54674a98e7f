import { KVM, VFIO } from '@coupling-lab/lab';
import fc from 'fast-check';
import { DEVICE_IN_GROUP } from '../fixtures.js';
import type { FdKind, FdRef, Step } from './steps.js';

/** Two processes: enough for a second QEMU (or DPDK) to contend for the same groups. */
export const PROCESSES = 2;

/** Mostly the first process, so that its fds meet; the second contends for the same groups. */
const proc = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: PROCESSES - 1 }) },
);
const group = fc.constantFrom(26, 27);

/** Mostly an fd of the expected kind; sometimes any open fd (a wrong kind); rarely one that is not open. */
function fdRef(kind: FdKind): fc.Arbitrary<FdRef> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ pick: fc.constant(kind), index: fc.nat(2) }) },
    { weight: 3, arbitrary: fc.record({ pick: fc.constant<FdKind | 'any'>('any'), index: fc.nat(7) }) },
    {
      weight: 1,
      arbitrary: fc.record({ raw: fc.constantFrom<number | 'free'>('free', -1, 1023, 2 ** 31 - 1) }),
    },
  );
}

const anyFd: fc.Arbitrary<FdRef> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ pick: fc.constant<FdKind | 'any'>('any'), index: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ raw: fc.constantFrom<number | 'free'>('free', -1, 1023) }) },
);

/** Requests some file kind does not know (or knows under another file kind): -ENOTTY, -EINVAL. */
const strayRequest = fc.constantFrom(
  0,
  0xffff_ffff,
  KVM.CREATE_VM,
  KVM.GET_API_VERSION,
  KVM.SET_DEVICE_ATTR,
  VFIO.GROUP_GET_STATUS,
  VFIO.GET_API_VERSION,
);

/**
 * Every kind of step, weighted towards what reaches deep states (the set-up macros, ADD and DEL)
 * while still mixing in every bad input of SPEC 4 and 5.
 */
const weightedSteps: fc.WeightedArbitrary<Step>[] = [
  {
    weight: 8,
    arbitrary: fc.record({ op: fc.constant('attach' as const), proc, group, reuse: fc.boolean() }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('vm' as const),
      proc,
      device: fc.constantFrom(true, true, true, false),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      proc,
      device: fdRef('kvm-device'),
      fd: fdRef('group'),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('del' as const),
      proc,
      device: fdRef('kvm-device'),
      fd: fdRef('group'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('close' as const), proc, fd: anyFd }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), proc, fd: fdRef('group') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('open' as const),
      proc,
      path: fc.constantFrom('/dev/vfio/vfio', '/dev/vfio/26', '/dev/vfio/27', '/dev/kvm', '/dev/vfio/28'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('setContainer' as const),
      proc,
      group: fdRef('group'),
      container: fdRef('container'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('unsetContainer' as const), proc, group: fdRef('group') }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('setIommu' as const),
      proc,
      container: fdRef('container'),
      type: fc.constantFrom(VFIO.TYPE1v2_IOMMU, VFIO.TYPE1_IOMMU, VFIO.SPAPR_TCE_IOMMU),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('checkExtension' as const),
      proc,
      container: fdRef('container'),
      extension: fc.constantFrom(VFIO.DMA_CC_IOMMU, VFIO.TYPE1v2_IOMMU, VFIO.NOIOMMU_IOMMU),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('groupStatus' as const), proc, group: fdRef('group') }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('getDeviceFd' as const),
      proc,
      group: fdRef('group'),
      device: fc.constantFrom(DEVICE_IN_GROUP[26] ?? '', DEVICE_IN_GROUP[27] ?? '', '0000:09:00.0'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('createVm' as const), proc, kvm: fdRef('kvm') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('createDevice' as const),
      proc,
      vm: fdRef('vm'),
      type: fc.constantFrom(KVM.DEV_TYPE_VFIO, KVM.DEV_TYPE_VFIO, 0, KVM.DEV_TYPE_MAX),
      test: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('attr' as const),
      proc,
      device: fdRef('kvm-device'),
      request: fc.constantFrom('set' as const, 'get' as const, 'has' as const),
      group: fc.constantFrom(KVM.DEV_VFIO_GROUP, KVM.DEV_VFIO_GROUP, 0, 2),
      attr: fc.constantFrom(
        KVM.DEV_VFIO_GROUP_ADD,
        KVM.DEV_VFIO_GROUP_DEL,
        KVM.DEV_VFIO_GROUP_SET_SPAPR_TCE,
        0,
      ),
      fd: fdRef('group'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('badAddress' as const),
      proc,
      fd: fc.oneof(fdRef('kvm-device'), fdRef('group')),
      call: fc.constantFrom('add' as const, 'del' as const, 'setContainer' as const, 'getDeviceFd' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('ioctl' as const), proc, fd: anyFd, request: strayRequest }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('exit' as const), proc }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('rmmod' as const), module: fc.constant('vfio_pci' as const) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('modprobe' as const), module: fc.constant('vfio_pci' as const) }),
  },
];

/**
 * Device-file steps (v6.6: device cdevs bound to an iommufd, KVM_DEV_VFIO_FILE with a device
 * fd); on a kernel without them the opens are -ENOENT on every strategy alike.
 */
const deviceFileSteps: fc.WeightedArbitrary<Step>[] = [
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('cdev' as const), proc, group, reuse: fc.boolean() }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      proc,
      device: fdRef('kvm-device'),
      fd: fdRef('vfio-cdev'),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('del' as const),
      proc,
      device: fdRef('kvm-device'),
      fd: fdRef('vfio-cdev'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), proc, fd: fdRef('vfio-cdev') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('open' as const),
      proc,
      path: fc.constantFrom('/dev/iommu', '/dev/vfio/devices/vfio0', '/dev/vfio/devices/vfio1'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('bind' as const),
      proc,
      device: fdRef('vfio-cdev'),
      iommufd: fdRef('iommufd'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('attachPt' as const),
      proc,
      device: fdRef('vfio-cdev'),
      pt: fc.nat(4),
    }),
  },
];

/** One random step. */
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(...weightedSteps, ...deviceFileSteps);
