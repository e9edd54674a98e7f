import { isDeepStrictEqual } from 'node:util';
import { boot, IOMMUFD, KVM, type Process, type System, VFIO } from '@coupling-lab/lab';
import type { LinuxName } from '@coupling-lab/lab';
import { agreedState, describeResult } from '../assertions.js';
import type { StrategyRef } from '../conformance/strategy-ref.js';
import { PROCESSES } from './arbitraries.js';
import type { Oracle } from './oracle.js';
import { type FdKind, type FdRef, formatStep, type Step } from './steps.js';

/** One strategy's system and its processes. */
interface Lane {
  readonly name: string;
  readonly sys: System;
  readonly procs: Process[];
}

interface FdInfo {
  readonly kind: FdKind;
  /** For a group fd: its IOMMU group. */
  readonly group?: number;
}

/** A divergence or a violation: fast-check shrinks the sequence that led to it. */
export class DifferentialError extends Error {
  override readonly name = 'DifferentialError';
}

const FIRST_FD = 3;
const groupPath = /^\/dev\/vfio\/(\d+)$/;
const kindOfPath = (path: string): FdInfo | undefined => {
  if (path === '/dev/vfio/vfio') return { kind: 'container' };
  if (path === '/dev/kvm') return { kind: 'kvm' };
  if (path === '/dev/iommu') return { kind: 'iommufd' };
  if (/^\/dev\/vfio\/devices\/vfio\d+$/.test(path)) return { kind: 'vfio-cdev' };
  const match = groupPath.exec(path);
  return match === null ? undefined : { kind: 'group', group: Number(match[1]) };
};

/**
 * Every strategy's system side by side, all with every module loaded, driven by the same steps.
 * The fd tables are tracked once (syscall results, fds included, must agree across strategies),
 * so a step's symbolic fds resolve to the same numbers on every system.
 */
export class World {
  readonly lanes: Lane[];
  private readonly fds: Map<number, FdInfo>[] = [];
  private steps = 0;

  /** `oracle`, if given, also holds every step's results to Linux's own answers (oracle.ts). */
  constructor(
    strategies: readonly StrategyRef[],
    linux: LinuxName = 'v5.17',
    private readonly oracle?: Oracle,
  ) {
    this.lanes = strategies.map((strategy) => {
      const sys = boot({ strategy, onViolation: 'record', linux });
      const loaded = sys.modprobeAll();
      if (loaded !== 0) throw new Error(`${sys.strategy.name}: modprobeAll() gave ${describeResult(loaded)}`);
      return {
        name: sys.strategy.name,
        sys,
        procs: Array.from({ length: PROCESSES }, (_, i) => sys.spawn(`p${i}`)),
      };
    });
    for (let i = 0; i < PROCESSES; i++) this.fds.push(new Map());
  }

  private get first(): Lane {
    const lane = this.lanes[0];
    if (lane === undefined) throw new Error('differential fuzzing needs at least one strategy');
    return lane;
  }

  private table(proc: number): Map<number, FdInfo> {
    const table = this.fds[proc];
    if (table === undefined) throw new Error(`no process p${proc}`);
    return table;
  }

  /** The fd a symbolic operand names now, or undefined if there is no open fd of that kind. */
  resolve(proc: number, ref: FdRef): number | undefined {
    const table = this.table(proc);
    if ('raw' in ref) {
      if (ref.raw !== 'free') return ref.raw;
      let fd = FIRST_FD;
      while (table.has(fd)) fd++;
      return fd;
    }
    const candidates = [...table.entries()]
      .filter(([, info]) => ref.pick === 'any' || info.kind === ref.pick)
      .map(([fd]) => fd)
      .sort((a, b) => a - b);
    return candidates.length === 0 ? undefined : candidates[ref.index % candidates.length];
  }

  /** fast-check's `check`: can the step run now (do its fds exist)? */
  applicable(step: Step): boolean {
    if (step.op === 'rmmod' || step.op === 'modprobe' || step.op === 'exit' || step.op === 'vm') return true;
    if (step.op === 'open' || step.op === 'attach' || step.op === 'cdev') return true;
    for (const ref of this.operands(step)) if (this.resolve(step.proc, ref) === undefined) return false;
    return true;
  }

  private operands(step: Step): FdRef[] {
    switch (step.op) {
      case 'close':
      case 'badAddress':
      case 'ioctl':
        return [step.fd];
      case 'setContainer':
        return [step.group, step.container];
      case 'unsetContainer':
      case 'groupStatus':
      case 'getDeviceFd':
        return [step.group];
      case 'setIommu':
      case 'checkExtension':
        return [step.container];
      case 'createVm':
        return [step.kvm];
      case 'createDevice':
        return [step.vm];
      case 'add':
      case 'del':
      case 'attr':
        return [step.device, step.fd];
      case 'bind':
        return [step.device, step.iommufd];
      case 'attachPt':
        return [step.device];
      default:
        return [];
    }
  }

  /** fast-check's `run`: the step on every system, then the comparisons of SPEC 8. Throws a DifferentialError. */
  apply(step: Step): void {
    this.steps += 1;
    const where = `step ${this.steps} (${formatStep(step)})`;
    const proc = 'proc' in step ? step.proc : 0;
    const fds = this.operands(step).map((ref) => this.resolve(proc, ref));
    const reuse =
      step.op === 'attach' && step.reuse
        ? this.resolve(step.proc, { pick: 'container', index: 0 })
        : step.op === 'cdev' && step.reuse
          ? this.resolve(step.proc, { pick: 'iommufd', index: 0 })
          : undefined;
    const kvmFd = step.op === 'vm' ? this.resolve(step.proc, { pick: 'kvm', index: 0 }) : undefined;
    const results = this.lanes.map((lane) => {
      try {
        return execute(lane, step, fds, step.op === 'attach' || step.op === 'cdev' ? reuse : kvmFd);
      } catch (error) {
        // 'record' mode still throws a recursive lock, and a model bug may throw anything.
        throw new DifferentialError(
          `${where}: ${lane.name} threw ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
    this.compare(where, 'syscall results', results);
    this.checkOracle(where, step, fds, step.op === 'attach' ? reuse : kvmFd, results[0] ?? []);
    this.compare(
      where,
      'inspect().vms',
      this.lanes.map((lane) => agreedState(lane.sys).vms),
    );
    this.compare(
      where,
      'inspect().groups[].kvm',
      this.lanes.map((lane) => agreedState(lane.sys).groupKvm),
    );
    for (const lane of this.lanes) {
      // Between syscalls no group may stay associated with a VM that does not hold it (stale-association).
      lane.sys.checkInvariants();
      this.expectNoViolation(lane, where);
    }
    this.track(step, fds, results[0] ?? []);
  }

  /** The end of a sequence: every system tears down cleanly (all modules unload, nothing leaks). */
  finish(): void {
    for (const lane of this.lanes) {
      const stuck = lane.sys.teardown();
      if (stuck.length > 0)
        throw new DifferentialError(`at teardown: ${lane.name} could not unload ${stuck.join(', ')}`);
      this.expectNoViolation(lane, 'at teardown');
    }
  }

  private expectNoViolation(lane: Lane, where: string): void {
    const [violation] = lane.sys.inspect().violations;
    if (violation !== undefined) throw new DifferentialError(`${where}: ${lane.name}: ${violation.message}`);
  }

  private checkOracle(
    where: string,
    step: Step,
    fds: readonly (number | undefined)[],
    extra: number | undefined,
    results: readonly number[],
  ): void {
    const expected = this.oracle?.predict(step, fds, extra);
    if (expected === undefined) return;
    if (expected.every((value, i) => value === undefined || value === results[i])) return;
    const show = (values: readonly (number | undefined)[]): string =>
      values.map((value) => (value === undefined ? '?' : describeResult(value))).join(', ');
    throw new DifferentialError(
      `${where}: every strategy gave [${show(results)}], Linux v5.17 gives [${show(expected)}] (oracle)`,
    );
  }

  private compare(where: string, what: string, values: readonly unknown[]): void {
    const [reference] = values;
    if (values.every((value) => isDeepStrictEqual(value, reference))) return;
    const lines = this.lanes.map((lane, i) => `  ${lane.name}: ${JSON.stringify(values[i])}`);
    throw new DifferentialError(`${where}: ${what} differ\n${lines.join('\n')}`);
  }

  /** Updates the fd bookkeeping from the (agreed) results. */
  private track(step: Step, fds: readonly (number | undefined)[], results: readonly number[]): void {
    if (step.op === 'rmmod' || step.op === 'modprobe') return;
    const table = this.table(step.proc);
    const add = (fd: number | undefined, info: FdInfo | undefined): void => {
      if (fd !== undefined && fd >= 0 && info !== undefined) table.set(fd, info);
    };
    const [r0, r1, r2] = results;
    switch (step.op) {
      case 'exit':
        table.clear();
        for (const lane of this.lanes) lane.procs[step.proc] = lane.sys.spawn(`p${step.proc}`);
        return;
      case 'open':
        return add(r0, kindOfPath(step.path));
      case 'close':
        if (r0 === 0 && fds[0] !== undefined) table.delete(fds[0]);
        return;
      case 'attach':
        // r1 is a new container fd, or the reused one (already a container: re-adding changes nothing).
        add(r0, { kind: 'group', group: step.group });
        add(r1, { kind: 'container' });
        return;
      case 'vm':
        add(r0, { kind: 'kvm' });
        add(r1, { kind: 'vm' });
        if (step.device) add(r2, { kind: 'kvm-device' });
        return;
      case 'getDeviceFd':
        return add(r0, { kind: 'vfio-device' });
      case 'cdev':
        // r0 is a new /dev/iommu fd or the reused one; r2 the cdev fd.
        add(r0, { kind: 'iommufd' });
        add(r2, { kind: 'vfio-cdev' });
        return;
      case 'createVm':
        return add(r0, { kind: 'vm' });
      case 'createDevice':
        if (!step.test) add(r0, { kind: 'kvm-device' });
        return;
      case 'ioctl':
        // A stray KVM_CREATE_VM that lands on /dev/kvm does create a VM.
        if (step.request === KVM.CREATE_VM && fds[0] !== undefined && table.get(fds[0])?.kind === 'kvm') {
          add(r0, { kind: 'vm' });
        }
        return;
      default:
        return;
    }
  }
}

/** The cdev of the device in each default IOMMU group (vfio_device->index in registration order). */
const CDEV: Readonly<Record<number, string>> = {
  26: '/dev/vfio/devices/vfio0',
  27: '/dev/vfio/devices/vfio1',
};

/** One step on one system; `extra` is the container (attach), the iommufd (cdev) or the /dev/kvm fd (vm) to reuse. */
function execute(
  lane: Lane,
  step: Step,
  fds: readonly (number | undefined)[],
  extra: number | undefined,
): number[] {
  if (step.op === 'rmmod') return [lane.sys.rmmod(step.module)];
  if (step.op === 'modprobe') return [lane.sys.modprobe(step.module)];
  const p = lane.procs[step.proc];
  if (p === undefined) throw new Error(`no process p${step.proc}`);
  const [a = -1, b = -1] = fds;
  const attr = (kind: number, fd: number) => ({
    group: KVM.DEV_VFIO_GROUP,
    attr: kind,
    addr: p.userInt32(fd),
  });
  switch (step.op) {
    case 'exit':
      return [p.exit()];
    case 'open':
      return [p.open(step.path)];
    case 'close':
      return [p.close(a)];
    case 'attach': {
      const group = p.open(`/dev/vfio/${step.group}`);
      const container = extra ?? p.open('/dev/vfio/vfio');
      return [
        group,
        container,
        p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)),
        p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
      ];
    }
    case 'vm': {
      const kvm = extra ?? p.open('/dev/kvm');
      const vm = p.ioctl(kvm, KVM.CREATE_VM);
      return step.device ? [kvm, vm, p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO })] : [kvm, vm];
    }
    case 'cdev': {
      const iommufd = extra ?? p.open('/dev/iommu');
      const ioas = p.ioctl(iommufd, IOMMUFD.IOAS_ALLOC);
      const device = p.open(CDEV[step.group] ?? '');
      return [
        iommufd,
        ioas,
        device,
        p.ioctl(device, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(iommufd)),
        p.ioctl(device, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(ioas)),
      ];
    }
    case 'bind':
      return [p.ioctl(a, VFIO.DEVICE_BIND_IOMMUFD, p.userInt32(b))];
    case 'attachPt':
      return step.pt === 0
        ? [p.ioctl(a, VFIO.DEVICE_DETACH_IOMMUFD_PT, p.userInt32(0))]
        : [p.ioctl(a, VFIO.DEVICE_ATTACH_IOMMUFD_PT, p.userInt32(step.pt))];
    case 'setContainer':
      return [p.ioctl(a, VFIO.GROUP_SET_CONTAINER, p.userInt32(b))];
    case 'unsetContainer':
      return [p.ioctl(a, VFIO.GROUP_UNSET_CONTAINER)];
    case 'setIommu':
      return [p.ioctl(a, VFIO.SET_IOMMU, step.type)];
    case 'checkExtension':
      return [p.ioctl(a, VFIO.CHECK_EXTENSION, step.extension)];
    case 'groupStatus':
      return [p.ioctl(a, VFIO.GROUP_GET_STATUS)];
    case 'getDeviceFd':
      return [p.ioctl(a, VFIO.GROUP_GET_DEVICE_FD, p.userString(step.device))];
    case 'createVm':
      return [p.ioctl(a, KVM.CREATE_VM)];
    case 'createDevice':
      return [
        p.ioctl(a, KVM.CREATE_DEVICE, { type: step.type, flags: step.test ? KVM.CREATE_DEVICE_TEST : 0 }),
      ];
    case 'add':
      return [p.ioctl(a, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_ADD, b))];
    case 'del':
      return [p.ioctl(a, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_DEL, b))];
    case 'attr': {
      const request = { set: KVM.SET_DEVICE_ATTR, get: KVM.GET_DEVICE_ATTR, has: KVM.HAS_DEVICE_ATTR }[
        step.request
      ];
      return [p.ioctl(a, request, { group: step.group, attr: step.attr, addr: p.userInt32(b) })];
    }
    case 'badAddress': {
      const bad = 0xdead_beef;
      if (step.call === 'setContainer') return [p.ioctl(a, VFIO.GROUP_SET_CONTAINER, bad)];
      if (step.call === 'getDeviceFd') return [p.ioctl(a, VFIO.GROUP_GET_DEVICE_FD, bad)];
      const kind = step.call === 'add' ? KVM.DEV_VFIO_GROUP_ADD : KVM.DEV_VFIO_GROUP_DEL;
      return [p.ioctl(a, KVM.SET_DEVICE_ATTR, { group: KVM.DEV_VFIO_GROUP, attr: kind, addr: bad })];
    }
    case 'ioctl':
      return [p.ioctl(a, step.request, 0)];
  }
}
