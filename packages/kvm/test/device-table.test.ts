import { errno, type Kernel } from '@coupling-lab/kernel';
import {
  type DeviceOpsPinning,
  KVM,
  type KvmDeviceOps,
  type RegisterDeviceOps,
  type UnregisterDeviceOps,
} from '@coupling-lab/kvm';
import { ok, rig } from './helpers';

/** The preemption points on kvm_device_ops_table and its lock that `run` passes. */
function tablePoints(kernel: Kernel, run: () => void): string[] {
  const points: string[] = [];
  kernel.hook = (point, subject) => {
    if (subject.startsWith('kvm_device_ops')) points.push(`${point} ${subject}`);
  };
  try {
    run();
  } finally {
    kernel.hook = undefined;
  }
  return points;
}

const toy: KvmDeviceOps = { name: 'toy', create: () => 0 };

function tableRig(pinning?: DeviceOpsPinning): {
  kernel: Kernel;
  register: RegisterDeviceOps;
  unregister: UnregisterDeviceOps;
  createTest: (type: number) => number;
} {
  const { kernel } = rig({
    builtin: false,
    kvm: { exportDeviceOps: true, ...(pinning === undefined ? {} : { deviceOpsPinning: pinning }) },
  });
  const register = kernel.symbolGet<RegisterDeviceOps>('kvm_register_device_ops');
  const unregister = kernel.symbolGet<UnregisterDeviceOps>('kvm_unregister_device_ops');
  if (register === null || unregister === null) throw new Error('kvm exports no device ops API');
  const p = kernel.spawn('qemu');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open'), KVM.CREATE_VM), 'CREATE_VM');
  const createTest = (type: number): number =>
    p.ioctl(vm, KVM.CREATE_DEVICE, { type, flags: KVM.CREATE_DEVICE_TEST });
  return { kernel, register, unregister, createTest };
}

describe.each(['none', 'locked', 'unlocked'] as const)('device ops table, pinning %s', (pinning) => {
  test('KVM_CREATE_DEVICE checks the type against ARRAY_SIZE before it reads the table: nothing is read past its ends', () => {
    const { kernel, createTest } = tableRig(pinning);
    for (const type of [-1, KVM.DEV_TYPE_MAX]) {
      expect(tablePoints(kernel, () => expect(createTest(type)).toBe(-errno.ENODEV))).toEqual([]);
    }
    // Types 0 and DEV_TYPE_MAX - 1 are in range: an empty slot is read and found empty.
    for (const type of [0, KVM.DEV_TYPE_MAX - 1]) {
      const points = tablePoints(kernel, () => expect(createTest(type)).toBe(-errno.ENODEV));
      expect(points).toContain('ops-access kvm_device_ops_table');
    }
  });

  test('an empty slot is -ENODEV with the table lock dropped and no owner pinned', () => {
    const { kernel, register, createTest } = tableRig(pinning);
    const refs = kernel.findModule('kvm')?.refcount;
    expect(createTest(KVM.DEV_TYPE_VFIO)).toBe(-errno.ENODEV);
    expect(kernel.findModule('kvm')?.refcount).toBe(refs);
    // The lock is free again: registering, which takes it, works.
    expect(register(toy, KVM.DEV_TYPE_VFIO)).toBe(0);
    expect(createTest(KVM.DEV_TYPE_VFIO)).toBe(0);
  });

  test('kvm_unregister_device_ops frees the first and the last slot, and ignores a type out of range without touching the table', () => {
    const { kernel, register, unregister, createTest } = tableRig(pinning);
    for (const type of [0, KVM.DEV_TYPE_MAX - 1]) {
      expect(register(toy, type)).toBe(0);
      expect(createTest(type)).toBe(0);
      unregister(type);
      expect(createTest(type)).toBe(-errno.ENODEV);
    }
    for (const type of [-1, KVM.DEV_TYPE_MAX])
      expect(tablePoints(kernel, () => unregister(type))).toEqual([]);
  });
});

test("kvm's default pinning is Linux's: KVM_CREATE_DEVICE reads the table without its lock", () => {
  const { kernel, register, createTest } = tableRig();
  expect(register(toy, KVM.DEV_TYPE_VFIO)).toBe(0);
  expect(tablePoints(kernel, () => expect(createTest(KVM.DEV_TYPE_VFIO)).toBe(0))).toEqual([
    'ops-access kvm_device_ops_table',
  ]);
});
