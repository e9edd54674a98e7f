import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';
import { couplingMetrics } from '@coupling-lab/bench';

// SPEC 8: what the strategies may differ in, as booting and trying shows it. One row per strategy.
const matrix = {
  direct: {
    insmodKvmAlone: '-ENOENT',
    createDeviceWithoutVfio: 'kvm does not load',
    rmmodKvm: 'ok',
    rmmodVfioPci: 'ok',
    rmmodVfioAfterVfioPci: '-EWOULDBLOCK',
  },
  'symbol-get': {
    insmodKvmAlone: 'ok',
    createDeviceWithoutVfio: 'device created; GROUP_ADD -EINVAL',
    rmmodKvm: 'ok',
    rmmodVfioPci: 'ok',
    rmmodVfioAfterVfioPci: 'ok',
  },
  'symbol-get-file': {
    insmodKvmAlone: 'ok',
    createDeviceWithoutVfio: 'device created; GROUP_ADD -EINVAL',
    rmmodKvm: 'ok',
    rmmodVfioPci: 'ok',
    rmmodVfioAfterVfioPci: 'ok',
  },
  'get-ops': {
    insmodKvmAlone: 'ok',
    createDeviceWithoutVfio: 'device created; GROUP_ADD -EINVAL',
    rmmodKvm: 'ok',
    rmmodVfioPci: 'ok',
    rmmodVfioAfterVfioPci: 'ok',
  },
  'register-ops': {
    insmodKvmAlone: 'ok',
    createDeviceWithoutVfio: '-ENODEV',
    rmmodKvm: '-EWOULDBLOCK',
    rmmodVfioPci: 'ok',
    rmmodVfioAfterVfioPci: '-EWOULDBLOCK',
  },
};

test.each(Object.entries(matrix))('%s: the load/unload matrix with nothing open', (strategy, expected) => {
  expect(couplingMetrics(strategy).matrix).toEqual(expected);
});

test.each([
  ['direct', [{ module: 'vfio', count: 6 }]],
  ['symbol-get', [{ module: 'vfio', count: 6 }]],
  ['symbol-get-file', [{ module: 'vfio', count: 3 }]],
  ['get-ops', [{ module: 'vfio', count: 1 }]],
  [
    'register-ops',
    [
      { module: 'vfio', count: 3 },
      { module: 'kvm', count: 2 },
    ],
  ],
])('%s: the API surface each side exports for the other', (strategy, expected) => {
  expect(
    couplingMetrics(strategy).exports.map((entry) => ({ module: entry.module, count: entry.symbols.length })),
  ).toEqual(expected);
});

test.each([
  ['direct', ['kvm -> vfio hard', 'vfio_pci -> vfio hard']],
  ['symbol-get', ['kvm -> vfio symbol_get', 'vfio_pci -> vfio hard']],
  ['get-ops', ['kvm -> vfio symbol_get', 'vfio_pci -> vfio hard']],
  [
    'register-ops',
    ['kvm_vfio -> kvm hard', 'kvm_vfio -> kvm registers', 'kvm_vfio -> vfio hard', 'vfio_pci -> vfio hard'],
  ],
])(
  '%s: the module graph, hard edges from loading and run-time edges from the strategy',
  (strategy, expected) => {
    expect(couplingMetrics(strategy).edges.map((edge) => `${edge.from} -> ${edge.to} ${edge.kind}`)).toEqual(
      expected,
    );
  },
);

test('only vfio loads alone under direct; kvm loads alone everywhere else; register-ops has 4! orders of which 5 work', () => {
  expect(couplingMetrics('direct').loadsAlone).toEqual(['vfio']);
  expect(couplingMetrics('get-ops').loadsAlone).toEqual(['vfio', 'kvm']);
  const orders = couplingMetrics('register-ops').loadOrders;
  expect(orders).toHaveLength(24);
  // kvm_vfio needs kvm and vfio, vfio_pci needs vfio: vfio first or second after kvm, etc.
  expect(orders.filter((order) => order.ok).map((order) => order.order.join(' '))).toEqual([
    'vfio vfio_pci kvm kvm_vfio',
    'vfio kvm vfio_pci kvm_vfio',
    'vfio kvm kvm_vfio vfio_pci',
    'kvm vfio vfio_pci kvm_vfio',
    'kvm vfio kvm_vfio vfio_pci',
  ]);
});

test.each([
  // vfio's refcount while a VM holds group 26 and QEMU closed its VFIO fds: the use edge from
  // vfio_pci, plus kvm's use edge (direct) or the group file KVM holds (file-based strategies).
  ['direct', { vfio: 2, extra: [] as string[] }],
  ['symbol-get', { vfio: 1, extra: [] }],
  ['symbol-get-file', { vfio: 2, extra: [] }],
  ['get-ops', { vfio: 2, extra: [] }],
  // register-ops: the held file and kvm_vfio's use edge, and the device pins kvm_vfio (its owner).
  ['register-ops', { vfio: 3, extra: ['kvm_vfio 1'] }],
])('%s: what pins what while a VM holds a group', (strategy, expected) => {
  const pins = couplingMetrics(strategy).pinsWhileInUse;
  expect(pins.modules.find((module) => module.name === 'vfio')?.refcount).toBe(expected.vfio);
  expect(
    pins.modules
      .filter((module) => module.name === 'kvm_vfio')
      .map((module) => `${module.name} ${module.refcount}`),
  ).toEqual(expected.extra);
  // KVM is the group's one container user left, and the group is associated with VM 1.
  expect(pins.groups.find((group) => group.id === 26)).toEqual({
    id: 26,
    open: 0,
    containerUsers: 1,
    kvm: 1,
  });
});

test('while a VM uses a group every module refuses to unload, but vfio_pci, whose unbind sleeps, for every strategy', () => {
  for (const strategy of Object.keys(matrix)) {
    for (const entry of couplingMetrics(strategy).unloadWhileInUse)
      expect(entry).toEqual({
        module: entry.module,
        result: entry.module === 'vfio_pci' ? 'sleeps' : '-EWOULDBLOCK',
      });
  }
});
