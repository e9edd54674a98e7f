import { bugReport, type ReportableVerdict } from '@coupling-lab/explorer';
import type {
  BenchCell,
  CountRow,
  CouplingMetrics,
  OperationName,
  RaceResult,
  Report,
  VariantReport,
} from '../src/report/index.js';

const base = ['kvm', 'vfio', 'vfio_pci'];

/** Counts with gets and puts told apart: an operation that takes a reference need not drop one. */
function count(
  lookups: number,
  gets: number,
  puts: number,
  calls: number,
  indirect = 0,
  locks = 2,
): CountRow {
  return {
    symbolLookups: lookups,
    moduleGets: gets,
    modulePuts: puts,
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

/** Timings from ns per operation and ratio to direct; the interval is ±4% (direct's is exactly 1). */
function bench(cells: [number, number][]): Record<OperationName, BenchCell> {
  const cell = (i: number): BenchCell => {
    const [nsPerOp, ratioToDirect] = cells[i] ?? [0, 0];
    const ci: [number, number] = ratioToDirect === 1 ? [1, 1] : [ratioToDirect * 0.96, ratioToDirect * 1.04];
    return { nsPerOp, ratioToDirect, ci };
  };
  return {
    GROUP_ADD: cell(0),
    GROUP_DEL: cell(1),
    DEVICE_CREATE: cell(2),
    DEVICE_DESTROY: cell(3),
    VM_LIFE: cell(4),
  };
}

const clean = (scenario: string, schedules: number): RaceResult => ({
  scenario,
  verdict: 'clean',
  schedules,
  bound: 'exhaustive, depth 2, 2 preemptions',
});

function races(overrides: Partial<Record<string, RaceResult>> = {}): RaceResult[] {
  const all: RaceResult[] = [
    clean('add-vs-del', 21),
    clean('rmmod-vfio-vs-vm-close', 310),
    { scenario: 'rmmod-kvm_vfio-vs-create-device', verdict: 'skipped', schedules: 0 },
    clean('close-group-vs-add', 22),
  ];
  return all.map((r) => overrides[r.scenario] ?? r);
}

/** A violation as the explorer reports it: GROUP_DEL nested in GROUP_ADD, which then touches what DEL freed. */
function addVsDelViolation(
  strategy: string,
  kind: ReportableVerdict['kind'],
  schedule: string,
  message: string,
): RaceResult {
  const point = Number(schedule.split('@')[1]);
  const verdict: ReportableVerdict = {
    verdict: 'violation',
    kind,
    message,
    object: 'kvm_vfio_group',
    schedule,
    preemptions: 1,
    steps: [
      { thread: 1, label: 'ioctl(device, SET_DEVICE_ATTR, GROUP_ADD group 26)', depth: 0 },
      { thread: 2, label: 'ioctl(device, SET_DEVICE_ATTR, GROUP_DEL group 26)', depth: 1 },
    ],
    trace: [
      { thread: 1, point: 'syscall', subject: 'qemu: ioctl(7, 0x4018aee1)' },
      ...Array.from({ length: point - 1 }, (_, i) => ({
        thread: 1,
        point: 'file-get' as const,
        subject: `f${i}`,
      })),
      { thread: 1, point: 'unlock', subject: 'kvm_vfio.lock' },
      { thread: 2, point: 'lock', subject: 'kvm_vfio.lock' },
    ],
    schedules: 11,
    pruned: 0,
    bound: { maxDepth: 1, maxPreemptions: 1 },
  };
  return {
    scenario: 'add-vs-del',
    verdict: 'violation',
    schedules: 11,
    bound: 'depth 2, 2 preemptions',
    kind,
    schedule,
    report: bugReport(verdict, {
      scenario: 'add-vs-del',
      strategy,
      fault: { in: 'step', step: 1, thread: 1 },
    }),
  };
}

function orders(ok: string[][], failing: string[][]): CouplingMetrics['loadOrders'] {
  return [...ok.map((order) => ({ order, ok: true })), ...failing.map((order) => ({ order, ok: false }))];
}

/** SPEC 8's matrix; the builtin strategies agree on rmmod vfio_pci, so "What differs" must leave it out. */
function matrix(overrides: Partial<CouplingMetrics['matrix']> = {}): CouplingMetrics['matrix'] {
  return {
    insmodKvmAlone: 'ok',
    createDeviceWithoutVfio: 'device created; GROUP_ADD -EINVAL',
    rmmodKvm: 'ok',
    rmmodVfioPci: 'ok',
    rmmodVfioAfterVfioPci: 'ok',
    ...overrides,
  };
}

const vfioFileApi = ['vfio_file_iommu_group', 'vfio_file_enforced_coherent', 'vfio_file_set_kvm'];

function variants(): VariantReport[] {
  return [
    {
      name: 'symbol-get-file/v5.19-race',
      of: 'symbol-get-file',
      difference: 'GROUP_ADD reads kvg->file for set_kvm after dropping kv->lock',
      races: [
        addVsDelViolation(
          'symbol-get-file/v5.19-race',
          'use-after-free',
          '1 2@9',
          'use-after-free: access to freed kvm_vfio_group',
        ),
        clean('rmmod-vfio-vs-vm-close', 264),
      ],
    },
    {
      name: 'register-ops/unlocked',
      of: 'register-ops',
      difference: "KVM_CREATE_DEVICE takes the owner's reference after dropping the table lock",
      races: [clean('add-vs-del', 22), clean('rmmod-vfio-vs-vm-close', 264)],
    },
  ];
}

/** A realistic comparison of the five strategies, with one race violation to show how one looks. */
export function sampleReport(): Report {
  return {
    version: '0.1.0',
    generatedAt: '2025-11-23T22:10:00.000Z',
    machine: { cpu: 'AMD EPYC 7B13 64-Core Processor', cores: 8, node: 'v20.19.0', platform: 'linux x64' },
    quick: false,
    linux: { name: 'v5.17', summary: "v5.17's VFIO contract" },
    strategies: [
      {
        name: 'direct',
        summary: 'kvm imports vfio’s symbols at load: no lookups, but kvm cannot load without vfio.',
        conformance: { passed: 64, failed: 0, failures: [] },
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
            [
              ['kvm', 'vfio', 'vfio_pci'],
              ['kvm', 'vfio_pci', 'vfio'],
            ],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: '-EWOULDBLOCK' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
          ],
          matrix: matrix({
            insmodKvmAlone: '-ENOENT',
            createDeviceWithoutVfio: 'kvm does not load',
            rmmodVfioAfterVfioPci: '-EWOULDBLOCK',
          }),
        },
        counts: counts([
          count(0, 0, 0, 3),
          count(0, 0, 0, 3),
          count(0, 1, 0, 0, 0, 1),
          count(0, 0, 3, 2, 0, 1),
          count(0, 9, 9, 6, 0, 6),
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
        conformance: { passed: 64, failed: 0, failures: [] },
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
                'vfio_external_user_iommu_id',
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
            [['vfio_pci', 'vfio', 'kvm']],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: '-EWOULDBLOCK' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
          ],
          matrix: matrix(),
        },
        counts: counts([
          count(3, 3, 2, 3),
          count(3, 2, 3, 3),
          count(0, 1, 0, 0, 0, 1),
          count(2, 2, 5, 2, 0, 1),
          count(6, 15, 15, 6, 0, 6),
        ]),
        races: races({
          'add-vs-del': addVsDelViolation(
            'symbol-get',
            'stale-association',
            '1 2@8',
            'stale-association: vfio group 26 is associated with VM 1, which does not hold it',
          ),
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
        conformance: { passed: 64, failed: 0, failures: [] },
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
            { module: 'kvm', result: '-EWOULDBLOCK' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
          ],
          matrix: matrix(),
        },
        counts: counts([
          count(3, 3, 3, 3),
          count(1, 1, 1, 1),
          count(0, 1, 0, 0, 0, 1),
          count(1, 1, 4, 1, 0, 1),
          count(4, 13, 13, 4, 0, 6),
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
        conformance: { passed: 64, failed: 0, failures: [] },
        coupling: {
          modules: base,
          exports: [{ module: 'vfio', symbols: ['vfio_file_get_ops'] }],
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
            { module: 'kvm', result: '-EWOULDBLOCK' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
          ],
          matrix: matrix(),
        },
        counts: counts([
          count(1, 1, 1, 4, 3),
          count(0, 0, 0, 1, 1),
          count(0, 1, 0, 0, 0, 1),
          count(0, 0, 3, 1, 1, 1),
          count(1, 10, 10, 5, 4, 6),
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
        conformance: { passed: 64, failed: 0, failures: [] },
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
            [
              ['kvm_vfio', 'kvm', 'vfio', 'vfio_pci'],
              ['kvm_vfio', 'vfio', 'kvm', 'vfio_pci'],
              ['vfio_pci', 'kvm_vfio', 'vfio', 'kvm'],
            ],
          ),
          unloadWhileInUse: [
            { module: 'kvm', result: '-EWOULDBLOCK' },
            { module: 'vfio', result: '-EWOULDBLOCK' },
            { module: 'kvm_vfio', result: '-EWOULDBLOCK' },
          ],
          matrix: matrix({
            createDeviceWithoutVfio: '-ENODEV',
            rmmodKvm: '-EWOULDBLOCK',
            rmmodVfioAfterVfioPci: '-EWOULDBLOCK',
          }),
        },
        counts: counts([
          count(0, 0, 0, 4, 1),
          count(0, 0, 0, 2, 1),
          count(0, 2, 0, 1, 1, 2),
          count(0, 0, 4, 2, 1, 1),
          count(0, 10, 10, 8, 4, 7),
        ]),
        races: races({
          'rmmod-kvm_vfio-vs-create-device': {
            scenario: 'rmmod-kvm_vfio-vs-create-device',
            verdict: 'clean',
            schedules: 45,
            bound: 'exhaustive, depth 2, 2 preemptions',
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
      'insmod kvm with vfio absent: -ENOENT for direct; ok for symbol-get, symbol-get-file, get-ops, register-ops',
      'rmmod kvm with nothing open: ok for direct, symbol-get, symbol-get-file, get-ops; -EWOULDBLOCK for register-ops',
      'symbol lookups per GROUP_ADD: 0 for direct, register-ops; 3 for symbol-get, symbol-get-file; 1 for get-ops',
    ],
    variants: variants(),
    run: {
      command: ['coupling-lab', 'compare', '--out', 'reports/sample'],
      commit: '5bce321a9f0e4b7c8d2e1f3a4b5c6d7e8f9a0b1c',
      dirty: false,
    },
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
