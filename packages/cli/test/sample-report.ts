import type {
  BenchCell,
  CountRow,
  CouplingMetrics,
  OperationName,
  RaceResult,
  Report,
} from '../src/report/index.js';

const base = ['kvm', 'vfio', 'vfio_pci'];

function count(lookups: number, gets: number, calls: number, indirect = 0, locks = 2): CountRow {
  return {
    symbolLookups: lookups,
    moduleGets: gets,
    modulePuts: gets,
    crossModuleCalls: calls,
    indirectCalls: indirect,
    lockAcquisitions: locks,
  };
}

/** Counts per operation: GROUP_ADD, GROUP_DEL, DEVICE_CREATE, DEVICE_DESTROY, VM_LIFE. */
function counts(rows: [CountRow, CountRow, CountRow, CountRow, CountRow]): Record<OperationName, CountRow> {
  const [GROUP_ADD, GROUP_DEL, DEVICE_CREATE, DEVICE_DESTROY, VM_LIFE] = rows;
  return { GROUP_ADD, GROUP_DEL, DEVICE_CREATE, DEVICE_DESTROY, VM_LIFE };
}

/** Timings from ns per operation and ratio to direct; the interval is ±4%. */
function bench(cells: [number, number][]): Record<OperationName, BenchCell> {
  const cell = (i: number): BenchCell => {
    const [nsPerOp, ratioToDirect] = cells[i] ?? [0, 0];
    return { nsPerOp, ratioToDirect, ci: [ratioToDirect * 0.96, ratioToDirect * 1.04] };
  };
  return {
    GROUP_ADD: cell(0),
    GROUP_DEL: cell(1),
    DEVICE_CREATE: cell(2),
    DEVICE_DESTROY: cell(3),
    VM_LIFE: cell(4),
  };
}

function races(overrides: Partial<Record<string, RaceResult>> = {}): RaceResult[] {
  const clean = (scenario: string, schedules: number): RaceResult => ({
    scenario,
    verdict: 'clean',
    schedules,
    bound: 'exhaustive, nesting depth 2',
  });
  const all: RaceResult[] = [
    clean('add-del-same-group', 1204),
    clean('rmmod-vfio-vs-vm-close', 388),
    { scenario: 'rmmod-kvm_vfio-vs-create-device', verdict: 'skipped', schedules: 0 },
    clean('group-close-vs-add', 652),
  ];
  return all.map((r) => overrides[r.scenario] ?? r);
}

function orders(ok: string[][], failing: string[][]): CouplingMetrics['loadOrders'] {
  return [...ok.map((order) => ({ order, ok: true })), ...failing.map((order) => ({ order, ok: false }))];
}

const vfioFileApi = [
  'vfio_file_iommu_group',
  'vfio_file_enforced_coherent',
  'vfio_file_set_kvm',
  'vfio_file_is_group',
];

/** A realistic comparison of the five strategies, with one race violation to show how one looks. */
export function sampleReport(): Report {
  return {
    version: '0.1.0',
    generatedAt: '2025-11-23T22:10:00.000Z',
    machine: { cpu: 'AMD EPYC 7B13 64-Core Processor', cores: 8, node: 'v20.19.0', platform: 'linux x64' },
    quick: false,
    strategies: [
      {
        name: 'direct',
        summary: 'kvm imports vfio’s symbols at load: no lookups, but kvm cannot load without vfio.',
        conformance: { passed: 42, failed: 0, failures: [] },
        coupling: {
          modules: base,
          exports: [{ module: 'vfio', symbols: vfioFileApi }],
          edges: [
            { from: 'kvm', to: 'vfio', kind: 'hard' },
            { from: 'vfio_pci', to: 'vfio', kind: 'hard' },
          ],
          loadsAlone: ['vfio'],
          loadOrders: orders(
            [
              ['vfio', 'kvm', 'vfio_pci'],
              ['vfio', 'vfio_pci', 'kvm'],
            ],
            [['kvm', 'vfio', 'vfio_pci']],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: 'ok' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
          ],
        },
        counts: counts([
          count(0, 0, 3),
          count(0, 0, 2),
          count(0, 1, 0),
          count(0, 1, 1),
          count(0, 2, 9, 0, 8),
        ]),
        races: races(),
        bench: bench([
          [412, 1],
          [367, 1],
          [238, 1],
          [201, 1],
          [2150, 1],
        ]),
      },
      {
        name: 'symbol-get',
        summary: 'kvm looks up each vfio external-user symbol with symbol_get on every use (v5.17).',
        conformance: { passed: 42, failed: 0, failures: [] },
        coupling: {
          modules: base,
          exports: [
            {
              module: 'vfio',
              symbols: [
                'vfio_group_get_external_user',
                'vfio_group_put_external_user',
                'vfio_external_group_match_file',
                'vfio_group_set_kvm',
                'vfio_external_check_extension',
              ],
            },
          ],
          edges: [
            { from: 'kvm', to: 'vfio', kind: 'symbol_get' },
            { from: 'vfio_pci', to: 'vfio', kind: 'hard' },
          ],
          loadsAlone: ['kvm', 'vfio'],
          loadOrders: orders(
            [
              ['kvm', 'vfio', 'vfio_pci'],
              ['vfio', 'kvm', 'vfio_pci'],
              ['vfio', 'vfio_pci', 'kvm'],
            ],
            [],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: 'ok' },
            { module: 'vfio', result: 'ok' },
          ],
        },
        counts: counts([
          count(3, 3, 3),
          count(2, 2, 2),
          count(0, 1, 0),
          count(0, 1, 1),
          count(7, 9, 9, 0, 8),
        ]),
        races: races({
          'group-close-vs-add': {
            scenario: 'group-close-vs-add',
            verdict: 'violation',
            schedules: 97,
            bound: 'exhaustive, nesting depth 2',
            kind: 'use-after-free',
            schedule: 'T0:KVM_DEV_VFIO_GROUP_ADD@symbolGet | T1:close(group) | T0:resume',
          },
        }),
        bench: bench([
          [751, 1.82],
          [640, 1.74],
          [241, 1.01],
          [205, 1.02],
          [3720, 1.73],
        ]),
      },
      {
        name: 'symbol-get-file',
        summary: 'kvm holds the group file and looks up vfio_file_* helpers with symbol_get (v5.19).',
        conformance: { passed: 42, failed: 0, failures: [] },
        coupling: {
          modules: base,
          exports: [{ module: 'vfio', symbols: vfioFileApi }],
          edges: [
            { from: 'kvm', to: 'vfio', kind: 'symbol_get' },
            { from: 'vfio_pci', to: 'vfio', kind: 'hard' },
          ],
          loadsAlone: ['kvm', 'vfio'],
          loadOrders: orders(
            [
              ['kvm', 'vfio', 'vfio_pci'],
              ['vfio', 'kvm', 'vfio_pci'],
              ['vfio', 'vfio_pci', 'kvm'],
            ],
            [],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: 'ok' },
            { module: 'vfio', result: 'ok' },
          ],
        },
        counts: counts([
          count(2, 2, 2),
          count(1, 1, 1),
          count(0, 1, 0),
          count(0, 1, 1),
          count(5, 7, 7, 0, 8),
        ]),
        races: races(),
        bench: bench([
          [690, 1.67],
          [598, 1.63],
          [240, 1.01],
          [204, 1.01],
          [3460, 1.61],
        ]),
      },
      {
        name: 'get-ops',
        summary: 'kvm gets vfio’s ops table once per group with one symbol_get and calls through it.',
        conformance: { passed: 42, failed: 0, failures: [] },
        coupling: {
          modules: base,
          exports: [{ module: 'vfio', symbols: ['vfio_file_get_kvm_ops'] }],
          edges: [
            { from: 'kvm', to: 'vfio', kind: 'symbol_get' },
            { from: 'vfio_pci', to: 'vfio', kind: 'hard' },
          ],
          loadsAlone: ['kvm', 'vfio'],
          loadOrders: orders(
            [
              ['kvm', 'vfio', 'vfio_pci'],
              ['vfio', 'kvm', 'vfio_pci'],
              ['vfio', 'vfio_pci', 'kvm'],
            ],
            [],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: 'ok' },
            { module: 'vfio', result: 'ok' },
          ],
        },
        counts: counts([
          count(1, 1, 3, 3),
          count(0, 1, 2, 2),
          count(0, 1, 0),
          count(0, 1, 1),
          count(1, 4, 9, 8, 8),
        ]),
        races: races(),
        bench: bench([
          [498, 1.21],
          [441, 1.2],
          [239, 1.0],
          [203, 1.01],
          [2580, 1.2],
        ]),
      },
      {
        name: 'register-ops',
        summary: 'a kvm_vfio glue module imports both and registers the kvm-vfio device ops with kvm.',
        conformance: { passed: 42, failed: 0, failures: [] },
        coupling: {
          modules: ['kvm', 'vfio', 'vfio_pci', 'kvm_vfio'],
          exports: [
            { module: 'kvm', symbols: ['kvm_register_device_ops', 'kvm_unregister_device_ops'] },
            { module: 'vfio', symbols: vfioFileApi },
          ],
          edges: [
            { from: 'kvm_vfio', to: 'kvm', kind: 'hard' },
            { from: 'kvm_vfio', to: 'vfio', kind: 'hard' },
            { from: 'kvm_vfio', to: 'kvm', kind: 'registers' },
            { from: 'vfio_pci', to: 'vfio', kind: 'hard' },
          ],
          loadsAlone: ['kvm', 'vfio'],
          loadOrders: orders(
            [
              ['kvm', 'vfio', 'vfio_pci', 'kvm_vfio'],
              ['vfio', 'kvm', 'kvm_vfio', 'vfio_pci'],
            ],
            [['kvm_vfio', 'kvm', 'vfio', 'vfio_pci']],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: '-EWOULDBLOCK' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
            { module: 'kvm_vfio', result: 'ok' },
          ],
        },
        counts: counts([
          count(0, 0, 3, 1),
          count(0, 0, 2, 1),
          count(0, 1, 1, 1),
          count(0, 1, 2, 1),
          count(0, 2, 11, 2, 8),
        ]),
        races: races({
          'rmmod-kvm_vfio-vs-create-device': {
            scenario: 'rmmod-kvm_vfio-vs-create-device',
            verdict: 'clean',
            schedules: 2310,
            bound: 'exhaustive, nesting depth 2',
          },
        }),
        bench: bench([
          [436, 1.06],
          [381, 1.04],
          [262, 1.1],
          [219, 1.09],
          [2290, 1.07],
        ]),
      },
    ],
    differences: [
      'rmmod kvm with nothing open: ok for direct, symbol-get, symbol-get-file and get-ops; -EWOULDBLOCK for register-ops (kvm_vfio uses kvm).',
      'rmmod vfio after vfio_pci: ok for symbol-get, symbol-get-file and get-ops; -EWOULDBLOCK for register-ops (used by kvm_vfio) and direct (used by kvm).',
      'insmod kvm without vfio: -ENOENT for direct only.',
      'KVM_CREATE_DEVICE for VFIO with vfio absent: a device whose GROUP_ADD gives -EINVAL (symbol-get, symbol-get-file, get-ops); -ENODEV until kvm_vfio is loaded (register-ops).',
      'Symbol lookups per GROUP_ADD: 3 (symbol-get), 2 (symbol-get-file), 1 (get-ops), 0 (direct, register-ops).',
    ],
    benchMeta: {
      rounds: 30,
      floorNsPerOp: {
        GROUP_ADD: 38.2,
        GROUP_DEL: 31.5,
        DEVICE_CREATE: 22.1,
        DEVICE_DESTROY: 19.8,
        VM_LIFE: 190,
      },
      hookOverheadPercent: 1.8,
    },
  };
}
