import {
  boot,
  type CouplingEdge,
  type CouplingStrategy,
  errno,
  errnoName,
  type GroupSnapshot,
  groupAttr,
  groupFd,
  KVM,
  type ModuleSnapshot,
  qemuFixture,
  type System,
} from '@coupling-lab/lab';

/** What a strategy couples (SPEC 10's static metrics), found by booting and trying, never declared. */
export interface CouplingMetrics {
  /** Every module of the strategy, in load order. */
  readonly modules: readonly string[];
  /** Symbols each module exports for the other side (the bus-driver API vfio gives vfio_pci is left out). */
  readonly exports: readonly { readonly module: string; readonly symbols: readonly string[] }[];
  /** Direct-import edges as loading creates them, plus the strategy's run-time edges. */
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

export function couplingMetrics(strategy: CouplingStrategy | string): CouplingMetrics {
  const reference = boot({ strategy });
  const modules = reference.modules;
  return {
    modules,
    exports: exportsForOtherSide(strategy),
    edges: edges(strategy),
    loadsAlone: modules.filter((name) => boot({ strategy }).insmod(name) === 0),
    loadOrders: permutations(modules).map((order) => {
      const sys = boot({ strategy });
      return { order, ok: order.every((name) => sys.insmod(name) === 0) };
    }),
    unloadWhileInUse: modules.map((name) => {
      const sys = boot({ strategy });
      return {
        module: name,
        result: holdGroup(sys) ? resultName(sys.rmmod(name)) : 'no VM could use a group',
      };
    }),
    matrix: matrix(strategy),
    pinsWhileInUse: pins(strategy),
  };
}

function exportsForOtherSide(strategy: CouplingStrategy | string): CouplingMetrics['exports'] {
  const sys = boot({ strategy });
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

function edges(strategy: CouplingStrategy | string): CouplingEdge[] {
  const sys = boot({ strategy });
  sys.modprobeAll();
  const hard: CouplingEdge[] = sys.kernel
    .loadedModules()
    .flatMap((module) =>
      [...module.uses].map((used) => ({ from: module.name, to: used.name, kind: 'hard' as const })),
    );
  return [...hard, ...sys.strategy.runtimeEdges].sort((a, b) =>
    `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`),
  );
}

function matrix(strategy: CouplingStrategy | string): CouplingMetrics['matrix'] {
  const idle = (): System => {
    const sys = boot({ strategy });
    sys.modprobeAll();
    return sys;
  };
  const afterPci = idle();
  afterPci.rmmod('vfio_pci');
  return {
    insmodKvmAlone: resultName(withoutVfio(strategy).insmod('kvm')),
    rmmodKvm: resultName(idle().rmmod('kvm')),
    rmmodVfioPci: resultName(idle().rmmod('vfio_pci')),
    rmmodVfioAfterVfioPci: resultName(afterPci.rmmod('vfio')),
    createDeviceWithoutVfio: createDeviceWithoutVfio(strategy),
  };
}

/**
 * A fresh system with kvm's own dependencies loaded except vfio (none for the built-in
 * strategies; a plugin's kvm may import a broker), so that only vfio's absence is tested.
 */
function withoutVfio(strategy: CouplingStrategy | string): System {
  const sys = boot({ strategy });
  const kvm = sys.kernel.image('kvm');
  for (const dependency of kvm === undefined ? [] : sys.kernel.dependenciesOf(kvm)) {
    if (dependency !== 'vfio') sys.modprobe(dependency);
  }
  return sys;
}

function createDeviceWithoutVfio(strategy: CouplingStrategy | string): string {
  const sys = withoutVfio(strategy);
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

function pins(strategy: CouplingStrategy | string): CouplingMetrics['pinsWhileInUse'] {
  const sys = boot({ strategy });
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
