import { boot, type ExternalUserApi, KVM, VFIO, vfioState } from '@coupling-lab/lab';
import { ok, TestStrategy } from './strategies';

/** Group ids deliberately out of order: 40 is registered before 7. */
const devices = [
  { address: '0000:05:00.0', iommuGroup: 40, coherent: false },
  { address: '0000:03:00.0', iommuGroup: 7, coherent: true },
];

function scenario() {
  const sys = boot({ strategy: TestStrategy, devices, onViolation: 'record' });
  ok(sys.modprobeAll(), 'modprobeAll');
  const p = sys.spawn('qemu');
  const container = ok(p.open('/dev/vfio/vfio'), 'open container');
  const g40 = ok(p.open('/dev/vfio/40'), 'open 40');
  const g7 = ok(p.open('/dev/vfio/7'), 'open 7');
  ok(p.ioctl(g40, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER 40');
  ok(p.ioctl(g7, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER 7');
  ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
  const kvm = ok(p.open('/dev/kvm'), 'open /dev/kvm');
  ok(p.ioctl(kvm, KVM.CREATE_VM), 'VM 1');
  const vm2 = ok(p.ioctl(kvm, KVM.CREATE_VM), 'VM 2');
  const dev = ok(p.ioctl(vm2, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }), 'CREATE_DEVICE');
  ok(
    p.ioctl(dev, KVM.SET_DEVICE_ATTR, {
      group: KVM.DEV_VFIO_GROUP,
      attr: KVM.DEV_VFIO_GROUP_ADD,
      addr: p.userInt32(g40),
    }),
    'ADD 40',
  );
  return { sys, p };
}

test("inspect() gives SPEC 12's snapshot: modules, VMs and groups sorted, with the fields it names", () => {
  const { sys } = scenario();
  expect(sys.inspect()).toEqual({
    modules: [
      { name: 'kvm', state: 'LIVE', refcount: 6, usedBy: [] },
      { name: 'vfio', state: 'LIVE', refcount: 5, usedBy: ['kvm', 'vfio_pci'] },
      { name: 'vfio_pci', state: 'LIVE', refcount: 0, usedBy: [] },
    ],
    vms: [
      { id: 1, devices: [], assignedDevices: 0, noncoherentDma: 0 },
      { id: 2, devices: ['kvm-vfio'], assignedDevices: 1, noncoherentDma: 1 },
    ],
    groups: [
      { id: 7, open: 1, containerUsers: 1, kvm: null },
      { id: 40, open: 1, containerUsers: 2, kvm: 2 },
    ],
    sleeping: [],
    violations: [],
    tainted: false,
  });
});

test('modules are listed by name, not in load order', () => {
  const { sys } = scenario();
  expect(sys.kernel.loadedModules().map((module) => module.name)).toEqual(['vfio', 'vfio_pci', 'kvm']);
  expect(sys.inspect().modules.map((module) => module.name)).toEqual(['kvm', 'vfio', 'vfio_pci']);
});

test('inspect() is plain JSON: it survives a JSON round trip unchanged', () => {
  const { sys } = scenario();
  sys.kernel.violation('leak', 'a recorded violation', { module: 'kvm', object: 'something' });
  const snapshot = sys.inspect();
  expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
});

test('violations appear as { kind, module, object, message, trace } in the order they happened', () => {
  const { sys } = scenario();
  const setKvm = sys.kernel.symbolGet<ExternalUserApi['vfio_group_set_kvm']>('vfio_group_set_kvm');
  const group7 = vfioState(sys.kernel)?.groups.get(7);
  if (setKvm === null || group7 === undefined) throw new Error('vfio is not loaded');
  setKvm(group7, { id: 99 });
  sys.kernel.symbolPut('vfio_group_set_kvm');
  sys.checkInvariants();
  sys.kernel.violation('leak', 'second', { module: 'kvm' });
  expect(sys.inspect().violations).toEqual([
    {
      kind: 'stale-association',
      module: 'vfio',
      object: 'vfio group 7',
      message: 'stale-association: vfio group 7 is associated with VM 99, which no longer exists',
      trace: [],
    },
    { kind: 'leak', module: 'kvm', message: 'leak: second', trace: [] },
  ]);
});

test('a snapshot is a copy: later changes do not show in it', () => {
  const { sys, p } = scenario();
  const before = sys.inspect();
  const copy = JSON.parse(JSON.stringify(before)) as unknown;
  p.exit();
  expect(before).toEqual(copy);
  expect(sys.inspect()).not.toEqual(before);
});

test('tainted turns true after a forced unload', () => {
  const sys = boot({ strategy: TestStrategy, forceUnload: true });
  ok(sys.modprobeAll(), 'modprobeAll');
  expect(sys.inspect().tainted).toBe(false);
  sys.spawn('qemu').open('/dev/kvm');
  expect(sys.rmmod('kvm', { force: true })).toBe(0);
  expect(sys.inspect().tainted).toBe(true);
});
