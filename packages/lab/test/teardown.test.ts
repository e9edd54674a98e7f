import {
  boot,
  type ExternalUserApi,
  KVM,
  kvmState,
  type System,
  VFIO,
  vfioState,
  type VfioGroup,
} from '@coupling-lab/lab';
import { ok, TestStrategy, testModules, violationFrom } from './strategies';

/** QEMU's set-up on the default machine, with group 26 added to the VM's kvm-vfio device. */
function qemu(sys: System) {
  ok(sys.modprobeAll(), 'modprobeAll');
  const p = sys.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  const g26 = ok(p.open('/dev/vfio/26'), 'open 26');
  const g27 = ok(p.open('/dev/vfio/27'), 'open 27');
  ok(p.ioctl(g26, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER 26');
  ok(p.ioctl(g27, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER 27');
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const vm = ok(p.ioctl(ok(p.open('/dev/kvm'), 'open /dev/kvm'), KVM.CREATE_VM), 'CREATE_VM');
  const dev = ok(p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'CREATE_DEVICE');
  ok(
    p.ioctl(dev, KVM.SET_DEVICE_ATTR, {
      group: KVM.DEV_VFIO_GROUP,
      attr: KVM.DEV_VFIO_GROUP_ADD,
      addr: p.userInt32(g26),
    }),
    'ADD 26',
  );
  return { p, g26, g27, dev };
}

/** Calls VFIO's vfio_group_set_kvm the way KVM would, through symbol_get. */
function setKvm(sys: System, id: number, kvm: { readonly id: number } | null): void {
  const set = sys.kernel.symbolGet<ExternalUserApi['vfio_group_set_kvm']>('vfio_group_set_kvm');
  const group: VfioGroup | undefined = vfioState(sys.kernel)?.groups.get(id);
  if (set === null || group === undefined) throw new Error('vfio is not loaded');
  set(group, kvm);
  sys.kernel.symbolPut('vfio_group_set_kvm');
}

test('teardown after a QEMU session exits every process, unloads every module and returns []', () => {
  const sys = boot({ strategy: TestStrategy });
  qemu(sys);
  expect(sys.teardown()).toEqual([]);
  expect(sys.kernel.livingProcesses()).toEqual([]);
  expect(sys.inspect()).toEqual({
    modules: [],
    vms: [],
    groups: [],
    sleeping: [],
    violations: [],
    tainted: false,
  });
});

test('teardown returns the modules it could not unload', () => {
  const sticky = {
    name: 'sticky',
    description: 'init without exit',
    imports: [],
    exports: {},
    load: () => ({ symbols: {}, init: () => 0 }),
  };
  const sys = boot({
    strategy: {
      name: 'sticky',
      summary: 'has a module that cannot unload',
      runtimeEdges: [],
      modules: (machine) => testModules(machine, [sticky]),
    },
  });
  ok(sys.modprobeAll(), 'modprobeAll');
  expect(sys.teardown()).toEqual(['sticky']);
});

test("checkInvariants passes while every group associated with a VM is held by that VM's kvm-vfio device", () => {
  const sys = boot({ strategy: TestStrategy });
  qemu(sys);
  expect(sys.inspect().groups.map((group) => group.kvm)).toEqual([1, null]);
  expect(() => sys.checkInvariants()).not.toThrow();
});

test('a group associated with a VM that does not exist is a stale-association', () => {
  const sys = boot({ strategy: TestStrategy });
  qemu(sys);
  setKvm(sys, 27, { id: 99 });
  const violation = violationFrom(() => sys.checkInvariants());
  expect(violation.kind).toBe('stale-association');
  expect(violation.module).toBe('vfio');
  expect(violation.object).toBe('vfio group 27');
  expect(violation.message).toMatch(/VM 99, which no longer exists/);
});

test('a group associated with a live VM that does not hold it is a stale-association', () => {
  const sys = boot({ strategy: TestStrategy });
  qemu(sys);
  const [vm] = kvmState(sys.kernel)?.vms ?? [];
  if (vm === undefined) throw new Error('no VM');
  setKvm(sys, 27, vm);
  const violation = violationFrom(() => sys.checkInvariants());
  expect(violation.kind).toBe('stale-association');
  expect(violation.message).toMatch(/VM 1, which does not hold it/);
});

test('teardown checks the invariants after every process exited, so a stale association left behind fails it', () => {
  const sys = boot({ strategy: TestStrategy });
  qemu(sys);
  setKvm(sys, 27, { id: 99 });
  expect(violationFrom(() => sys.teardown()).kind).toBe('stale-association');
});

test('GROUP_DEL ends the association, and checkInvariants then passes', () => {
  const sys = boot({ strategy: TestStrategy });
  const { p, g26, dev } = qemu(sys);
  ok(
    p.ioctl(dev, KVM.SET_DEVICE_ATTR, {
      group: KVM.DEV_VFIO_GROUP,
      attr: KVM.DEV_VFIO_GROUP_DEL,
      addr: p.userInt32(g26),
    }),
    'DEL 26',
  );
  expect(sys.inspect().groups.map((group) => group.kvm)).toEqual([null, null]);
  expect(() => sys.checkInvariants()).not.toThrow();
});

test('in record mode a stale association is recorded, not thrown', () => {
  const sys = boot({ strategy: TestStrategy, onViolation: 'record' });
  qemu(sys);
  setKvm(sys, 27, { id: 99 });
  expect(() => sys.checkInvariants()).not.toThrow();
  expect(sys.inspect().violations.map((violation) => violation.kind)).toEqual(['stale-association']);
});
