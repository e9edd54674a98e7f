import {
  boot,
  type CouplingStrategy,
  deviceFileWiring,
  groupAttr,
  groupFd,
  IOMMUFD,
  type KernelCode,
  KVM,
  type LinuxName,
  linuxVersions,
  qemuFixture,
  type StrategyWiring,
  type System,
  VFIO,
  vfioIoctls,
  vfioState,
} from '@coupling-lab/lab';
import { diffLines } from 'diff';
import { resultName } from './coupling-metrics.js';

/** Lines added and removed from one text to another. */
export interface LineDiff {
  readonly added: number;
  readonly removed: number;
}

/**
 * What it cost a strategy to go from "group files only" to "group and device files" (Yi Liu's
 * cdev series, v6.6), computed from two versions of its wiring booted side by side and from the
 * text of its KVM-side port code, never written by hand.
 */
export interface ChangeCost {
  /** The kernel whose two versions were compared (the one with device files). */
  readonly linux: LinuxName;
  /** Symbols vfio exports for KVM's side: new, gone, and kept with a different implementation. */
  readonly vfioExports: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly string[];
  };
  /** VFIO symbols the KVM side looks up (symbol_get at run time, or imports at load): new and gone. */
  readonly kvmLookups: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** The KVM-side port's code, diffed line by line; undefined when the strategy does not say what its port code is. */
  readonly kvmPortLines?: LineDiff & { readonly before: number; readonly after: number };
  /** uAPI the kernel gained: device nodes (seen after modprobe) and ioctls. */
  readonly uapiAdded: readonly string[];
  /** Module edges (hard, symbol_get, registers) the new wiring has and the old did not. */
  readonly moduleEdgesAdded: readonly string[];
  /** KVM_DEV_VFIO_FILE_ADD of a device fd in QEMU's iommufd sequence: 'ok' or where it failed, before and after. */
  readonly deviceFileAdd: { readonly groupsOnly: string; readonly withDeviceFiles: string };
}

/** Lines added and removed between two texts (jsdiff's diffLines, Myers' O(ND) diff). */
export function lineDiff(before: string, after: string): LineDiff {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count;
    if (part.removed) removed += part.count;
  }
  return { added, removed };
}

/**
 * A function's text for the diff: its own name (which says which version it is, symbolGetFilePortV65)
 * is not a change to the code, so it is replaced by a neutral one.
 */
export function codeText(code: readonly KernelCode[]): string {
  return code
    .map((fn) => {
      const text = fn.toString();
      return fn.name === '' ? text : text.replace(new RegExp(`\\b${fn.name}\\b`, 'g'), 'port');
    })
    .join('\n');
}

const lineCount = (text: string): number => (text === '' ? 0 : text.split('\n').length);

function setDiff(before: Iterable<string>, after: Iterable<string>): { added: string[]; removed: string[] } {
  const a = new Set(before);
  const b = new Set(after);
  return {
    added: [...b].filter((item) => !a.has(item)).sort(),
    removed: [...a].filter((item) => !b.has(item)).sort(),
  };
}

/** Each export vfio's plans give KVM's side, with the text of its implementation in the loaded core. */
function exportSources(sys: System, wiring: StrategyWiring | undefined): Map<string, string> {
  const sources = new Map<string, string>();
  if (sys.modprobe('vfio') < 0) return sources;
  const core = vfioState(sys.kernel);
  if (core === undefined) return sources;
  const declared = wiring?.vfioExports ?? [];
  for (const plan of declared) {
    const values = plan.values(core);
    for (const name of Object.keys(plan.exports)) sources.set(name, String(values[name]));
  }
  if (declared.length === 0) {
    // No wiring declared: the names the image exports for KVM, each without a text to compare.
    const image = sys.kernel.image('vfio');
    const busDriver = new Set(sys.kernel.image('vfio_pci')?.imports ?? []);
    for (const name of Object.keys(image?.exports ?? {})) if (!busDriver.has(name)) sources.set(name, '');
  }
  return sources;
}

/**
 * The VFIO symbols KVM's side needs: those it symbol_get()s while QEMU adds and deletes a group
 * file (and a device file where there are device files), and those its modules import at load.
 */
function kvmLookups(fresh: () => System): Set<string> {
  const sys = fresh();
  const seen = new Set<string>();
  const vfioExports = new Set(Object.keys(sys.kernel.image('vfio')?.exports ?? {}));
  for (const name of sys.modules)
    if (name !== 'vfio' && name !== 'vfio_pci')
      for (const symbol of sys.kernel.image(name)?.imports ?? [])
        if (vfioExports.has(symbol)) seen.add(symbol);
  if (sys.modprobeAll() < 0) return seen;
  const kernel = sys.kernel;
  kernel.hook = (point, subject) => {
    if (point === 'symbol-lookup' && kernel.symbolOwner(subject) === 'vfio') seen.add(subject);
  };
  try {
    const fixture = qemuFixture(sys, [26]);
    const { qemu } = fixture;
    const group = groupFd(fixture, 26);
    qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_ADD, group));
    qemu.ioctl(fixture.device, KVM.SET_DEVICE_ATTR, groupAttr(qemu, KVM.DEV_VFIO_GROUP_DEL, group));
  } finally {
    kernel.hook = undefined;
  }
  // The device-file flow ran on its own system: its lookups are counted there.
  const other = fresh();
  other.kernel.hook = (point, subject) => {
    if (point === 'symbol-lookup' && other.kernel.symbolOwner(subject) === 'vfio') seen.add(subject);
  };
  deviceFileFlow(other);
  other.kernel.hook = undefined;
  return seen;
}

/**
 * QEMU's iommufd sequence on a system: /dev/iommu, IOAS_ALLOC, the first device cdev, BIND,
 * ATTACH, a VM and its kvm-vfio device, FILE_ADD and FILE_DEL of the device fd. 'ok', or the step
 * that failed and how.
 */
function deviceFileFlow(sys: System): string {
  if (sys.modprobeAll() < 0) return 'modules do not load';
  const cdev = sys.kernel.devicePaths().find((path) => path.startsWith('/dev/vfio/devices/'));
  if (cdev === undefined) return 'no device cdev';
  const p = sys.spawn('qemu');
  const steps: [string, () => number][] = [];
  let iommufd = -1;
  let ioas = -1;
  let device = -1;
  let kvmDevice = -1;
  steps.push(
    ['open /dev/iommu', () => (iommufd = p.open('/dev/iommu'))],
    ['IOMMU_IOAS_ALLOC', () => (ioas = p.ioctl(iommufd, IOMMUFD.IOAS_ALLOC))],
    [`open ${cdev}`, () => (device = p.open(cdev))],
    ['VFIO_DEVICE_BIND_IOMMUFD', () => p.ioctl(device, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommufd))],
    [
      'VFIO_DEVICE_ATTACH_IOMMUFD_PT',
      () => p.ioctl(device, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ioas)),
    ],
    [
      'KVM_CREATE_DEVICE',
      () =>
        (kvmDevice = p.ioctl(p.ioctl(p.open('/dev/kvm'), KVM.CREATE_VM), KVM.CREATE_DEVICE, {
          type: KVM.DEV_TYPE_VFIO,
        })),
    ],
    ['FILE_ADD', () => p.ioctl(kvmDevice, KVM.SET_DEVICE_ATTR, fileAttr(p, KVM.DEV_VFIO_FILE_ADD, device))],
    ['FILE_DEL', () => p.ioctl(kvmDevice, KVM.SET_DEVICE_ATTR, fileAttr(p, KVM.DEV_VFIO_FILE_DEL, device))],
  );
  for (const [what, step] of steps) {
    const result = step();
    if (result < 0) return `${what} ${resultName(result)}`;
  }
  return 'ok';
}

function fileAttr(
  p: ReturnType<System['spawn']>,
  attr: number,
  fd: number,
): { group: number; attr: number; addr: number } {
  return { group: KVM.DEV_VFIO_FILE, attr, addr: p.userInt32(fd) };
}

/** The uAPI: device nodes after modprobe (numbered ones as N), and the ioctls the booted vfio core answers. */
function uapi(sys: System): Set<string> {
  sys.modprobeAll();
  const nodes = sys.kernel.devicePaths().map((path) => path.replace(/\d+$/, 'N'));
  const core = vfioState(sys.kernel);
  return new Set([...nodes, ...(core === undefined ? [] : vfioIoctls(core.behaviour))]);
}

function moduleEdges(sys: System): Set<string> {
  sys.modprobeAll();
  const hard = sys.kernel
    .loadedModules()
    .flatMap((module) => [...module.uses].map((used) => `${module.name} → ${used.name} (hard)`));
  const runtime = sys.strategy.runtimeEdges.map((edge) => `${edge.from} → ${edge.to} (${edge.kind})`);
  return new Set([...hard, ...runtime]);
}

/**
 * The cost of accepting device files for `strategy` on `linux` (v6.6): its wiring on the kernel
 * with group files only (`groupFilesOnly`) against its wiring as it is, both booted and measured.
 */
export function changeCost(strategy: CouplingStrategy, linux: LinuxName = 'v6.6'): ChangeCost {
  const { groupsOnly, withDeviceFiles } = deviceFileWiring(strategy);
  const version = linuxVersions[linux];
  const fresh = (which: CouplingStrategy) => (): System => boot({ strategy: which, linux });
  const before = groupsOnly.wiring?.(version);
  const after = withDeviceFiles.wiring?.(version);
  const oldSources = exportSources(fresh(groupsOnly)(), before);
  const newSources = exportSources(fresh(withDeviceFiles)(), after);
  const exported = setDiff(oldSources.keys(), newSources.keys());
  const changed = [...newSources.entries()]
    .filter(([name, text]) => oldSources.has(name) && text !== '' && oldSources.get(name) !== text)
    .map(([name]) => name)
    .sort();
  const lookups = setDiff(kvmLookups(fresh(groupsOnly)), kvmLookups(fresh(withDeviceFiles)));
  const portBefore = before === undefined ? undefined : codeText(before.kvmSide);
  const portAfter = after === undefined ? undefined : codeText(after.kvmSide);
  const kvmPortLines =
    portBefore === undefined || portAfter === undefined || portAfter === '' || portBefore === ''
      ? undefined
      : { ...lineDiff(portBefore, portAfter), before: lineCount(portBefore), after: lineCount(portAfter) };
  return {
    linux,
    vfioExports: { ...exported, changed },
    kvmLookups: lookups,
    ...(kvmPortLines === undefined ? {} : { kvmPortLines }),
    uapiAdded: setDiff(uapi(fresh(groupsOnly)()), uapi(fresh(withDeviceFiles)())).added,
    moduleEdgesAdded: setDiff(moduleEdges(fresh(groupsOnly)()), moduleEdges(fresh(withDeviceFiles)())).added,
    deviceFileAdd: {
      groupsOnly: deviceFileFlow(fresh(groupsOnly)()),
      withDeviceFiles: deviceFileFlow(fresh(withDeviceFiles)()),
    },
  };
}
