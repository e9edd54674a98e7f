import {
  boot,
  type CouplingEdge,
  type CouplingStrategy,
  DEFAULT_LINUX,
  errno,
  errnoName,
  type GroupSnapshot,
  groupAttr,
  groupFd,
  KVM,
  type LinuxName,
  type ModuleSnapshot,
  qemuFixture,
  type System,
  VFIO,
} from '@coupling-lab/lab';

/** What a strategy couples (SPEC 10's static metrics) on one kernel, found by booting and trying, never declared. */
export interface CouplingMetrics {
  /** The kernel every number here is for. */
  readonly linux: LinuxName;
  /** Every module of the strategy, in load order. */
  readonly modules: readonly string[];
  /** Symbols each module exports for the other side (the bus-driver API vfio gives vfio_pci is left out). */
  readonly exports: readonly { readonly module: string; readonly symbols: readonly string[] }[];
  /**
   * Direct-import edges as loading creates them, the strategy's run-time edges, and the run-time
   * edges seen in the other direction: VFIO's symbol_get of KVM's exports while a device is open
   * on a VM (v6.6's vfio_device_get_kvm_safe).
   */
  readonly edges: readonly CouplingEdge[];
  /** Modules that load with nothing else loaded. */
  readonly loadsAlone: readonly string[];
  /** Every order of insmod over all modules, and whether it works. */
  readonly loadOrders: readonly { readonly order: readonly string[]; readonly ok: boolean }[];
  /** rmmod of each module while a VM uses a group: 'ok', the errno, or 'sleeps' (the unload went GOING and waits, vfio_pci's unbind). */
  readonly unloadWhileInUse: readonly { readonly module: string; readonly result: string }[];
  /** SPEC 8's load/unload matrix, with nothing open. */
  readonly matrix: {
    readonly insmodKvmAlone: string;
    readonly rmmodKvm: string;
    readonly rmmodVfioPci: string;
    readonly rmmodVfioAfterVfioPci: string;
    /** KVM_CREATE_DEVICE for VFIO with only kvm loaded, and GROUP_ADD on the result if it is a device. */
    readonly createDeviceWithoutVfio: string;
  };
  /** What pins what while a VM holds group 26 and QEMU has closed every VFIO fd. */
  readonly pinsWhileInUse: {
    readonly modules: readonly ModuleSnapshot[];
    readonly groups: readonly GroupSnapshot[];
  };
}

/** A syscall result as the report shows it: 'ok', '-EWOULDBLOCK', or 'sleeps' for a call that went to sleep (-EINPROGRESS). */
export function resultName(result: number): string {
  if (result >= 0) return 'ok';
  if (result === -errno.EINPROGRESS) return 'sleeps';
  return `-${errnoName(result) ?? String(-result)}`;
}

export function couplingMetrics(
  strategy: CouplingStrategy | string,
  linux: LinuxName = DEFAULT_LINUX,
): CouplingMetrics {
  const fresh = (): System => boot({ strategy, linux });
  const modules = fresh().modules;
  return {
    linux,
    modules,
    exports: exportsForOtherSide(fresh()),
    edges: edges(fresh),
    loadsAlone: modules.filter((name) => fresh().insmod(name) === 0),
    loadOrders: permutations(modules).map((order) => {
      const sys = fresh();
      return { order, ok: order.every((name) => sys.insmod(name) === 0) };
    }),
    unloadWhileInUse: modules.map((name) => {
      const sys = fresh();
      return {
        module: name,
        result: holdGroup(sys) ? resultName(sys.rmmod(name)) : 'no VM could use a group',
      };
    }),
    matrix: matrix(fresh),
    pinsWhileInUse: pins(fresh()),
  };
}

function exportsForOtherSide(sys: System): CouplingMetrics['exports'] {
  const images = sys.modules.map((name) => sys.kernel.image(name)).filter((image) => image !== undefined);
  const busDriverImports = new Set(images.find((image) => image.name === 'vfio_pci')?.imports ?? []);
  return images
    .map((image) => ({
      module: image.name,
      symbols: Object.keys(image.exports)
        .filter((symbol) => !busDriverImports.has(symbol))
        .sort(),
    }))
    .filter((entry) => entry.symbols.length > 0);
}

function edges(fresh: () => System): CouplingEdge[] {
  const sys = fresh();
  sys.modprobeAll();
  const hard: CouplingEdge[] = sys.kernel
    .loadedModules()
    .flatMap((module) =>
      [...module.uses].map((used) => ({ from: module.name, to: used.name, kind: 'hard' as const })),
    );
  const all = [...hard, ...sys.strategy.runtimeEdges, ...vfioLookupsOfKvm(fresh())];
  const unique = new Map(all.map((edge) => [`${edge.from}\0${edge.to}\0${edge.kind}`, edge]));
  return [...unique.values()].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`));
}

/**
 * The reverse direction, observed: the symbols VFIO looks up while QEMU opens a device of a group
 * KVM holds. Only VFIO core looks up KVM's exports (v6.6 vfio_device_get_kvm_safe), so a lookup
 * of a symbol kvm exports is an edge vfio -> kvm; on v5.17 there is none.
 */
function vfioLookupsOfKvm(sys: System): CouplingEdge[] {
  if (sys.modprobeAll() < 0) return [];
  const fixture = qemuFixture(sys, [26]);
  const { qemu } = fixture;
  const group = groupFd(fixture, 26);
  if (qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, group)) < 0)
    return [];
  const kernel = sys.kernel;
  let seen = false;
  kernel.hook = (point, subject) => {
    if (point === 'symbol-lookup' && kernel.symbolOwner(subject) === 'kvm') seen = true;
  };
  qemu.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, qemu.userString('0000:01:00.0'));
  kernel.hook = undefined;
  return seen ? [{ from: 'vfio', to: 'kvm', kind: 'symbol_get' }] : [];
}

function matrix(fresh: () => System): CouplingMetrics['matrix'] {
  const idle = (): System => {
    const sys = fresh();
    sys.modprobeAll();
    return sys;
  };
  const afterPci = idle();
  afterPci.rmmod('vfio_pci');
  return {
    insmodKvmAlone: resultName(withoutVfio(fresh()).insmod('kvm')),
    rmmodKvm: resultName(idle().rmmod('kvm')),
    rmmodVfioPci: resultName(idle().rmmod('vfio_pci')),
    rmmodVfioAfterVfioPci: resultName(afterPci.rmmod('vfio')),
    createDeviceWithoutVfio: createDeviceWithoutVfio(withoutVfio(fresh())),
  };
}

/**
 * A fresh system with kvm's own dependencies loaded except vfio (none for the built-in
 * strategies; a plugin's kvm may import a broker), so that only vfio's absence is tested.
 */
function withoutVfio(sys: System): System {
  const kvm = sys.kernel.image('kvm');
  for (const dependency of kvm === undefined ? [] : sys.kernel.dependenciesOf(kvm)) {
    if (dependency !== 'vfio') sys.modprobe(dependency);
  }
  return sys;
}

function createDeviceWithoutVfio(sys: System): string {
  if (sys.insmod('kvm') < 0) return 'kvm does not load';
  const qemu = sys.spawn('qemu');
  const kvm = qemu.open('/dev/kvm');
  const vm = qemu.ioctl(kvm, KVM.CREATE_VM);
  const device = qemu.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  if (device < 0) return resultName(device);
  const add = qemu.ioctl(device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, kvm));
  return `device created; GROUP_ADD ${resultName(add)}`;
}

/**
 * A VM holding group 26, QEMU's VFIO fds closed: only what KVM holds is left. False when the
 * strategy cannot get there (its modules do not load, or GROUP_ADD fails): a broken strategy is
 * measured as far as it goes, not crashed on.
 */
function holdGroup(sys: System): boolean {
  if (sys.modprobeAll() < 0) return false;
  const fixture = qemuFixture(sys, [26]);
  const { qemu } = fixture;
  const added = qemu.ioctl(
    fixture.device,
    KVM.SET_DEVICE_ATTR,
    groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, groupFd(fixture, 26)),
  );
  qemu.close(groupFd(fixture, 26));
  qemu.close(fixture.container);
  return added === 0;
}

function pins(sys: System): CouplingMetrics['pinsWhileInUse'] {
  if (!holdGroup(sys)) return { modules: [], groups: [] };
  const snapshot = sys.inspect();
  return { modules: snapshot.modules, groups: snapshot.groups };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}
