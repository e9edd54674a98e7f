import { KVM, VFIO } from '@coupling-lab/lab';
import { DEVICE_IN_GROUP } from '../fixtures.js';
import { type OracleState, OracleWorld, type Obj } from './oracle-state.js';
import type { Step } from './steps.js';

/**
 * The fuzzer's absolute oracle: what Linux v5.17 answers to each step, computed from a small
 * state of its own (oracle-state.ts), never from the model. Each rule cites the kernel function
 * it restates; none of this shares code with packages/vfio or packages/kvm, so a bug common to
 * every strategy (shared VFIO or KVM code) disagrees with it even though the strategies agree
 * with each other.
 *
 * `undefined` in a prediction means "not predicted" for that result (a stray ioctl's answer,
 * DMA_CC_IOMMU after SET_IOMMU). A step the state cannot follow (vfio_pci's exit asleep, or
 * unloaded under an open group) makes the oracle stop predicting for the rest of the sequence;
 * `lost` says why.
 */

const E = {
  EPERM: -1,
  ENOENT: -2,
  EBADF: -9,
  EAGAIN: -11,
  EFAULT: -14,
  EBUSY: -16,
  EEXIST: -17,
  ENODEV: -19,
  EINVAL: -22,
  ENOTTY: -25,
  ENXIO: -6,
} as const;
/** delete_module's refusal of a module in use is -EWOULDBLOCK, the same number as -EAGAIN. */
const EWOULDBLOCK = E.EAGAIN;

/** type1's VFIO_CHECK_EXTENSION [drivers/vfio/vfio_iommu_type1.c]: the two types it implements. */
const type1 = (type: number): boolean => type === VFIO.TYPE1_IOMMU || type === VFIO.TYPE1v2_IOMMU;

const errnoName = new Map(Object.entries(E).map(([name, value]) => [value as number, `-${name}`]));
/** Steps whose non-negative results are fds (counted as `fd`, not by number). */
const opensFd = new Set<Step['op']>([
  'open',
  'attach',
  'vm',
  'getDeviceFd',
  'createVm',
  'createDevice',
  'ioctl',
]);
const FIRST_FD = 3;

/** The steps that are one ioctl on their first fd operand. */
const ioctlSteps = new Set<Step['op']>([
  'setContainer',
  'unsetContainer',
  'setIommu',
  'checkExtension',
  'groupStatus',
  'getDeviceFd',
  'createVm',
  'createDevice',
  'add',
  'del',
  'attr',
  'badAddress',
  'ioctl',
]);

export class Oracle {
  private readonly world = new OracleWorld();
  /** Why the oracle stopped predicting, if it did. */
  lost: string | undefined;
  /**
   * How often each answer was predicted, as `op result` (e.g. `setIommu -ENODEV`): shared by the
   * oracles of one fuzz run, so a run can say which error paths it checked.
   */
  constructor(readonly predicted: Map<string, number> = new Map()) {}

  /**
   * The expected results of `step` (one per syscall the step makes), applying its effects to the
   * oracle's state; undefined if the oracle has lost track. `fds` are the step's resolved fd
   * operands and `extra` the container (attach) or /dev/kvm fd (vm) to reuse, as the World resolved them.
   */
  predict(
    step: Step,
    fds: readonly (number | undefined)[],
    extra: number | undefined,
  ): (number | undefined)[] | undefined {
    if (this.lost !== undefined) return undefined;
    const prediction = this.step(this.world.state, step, fds, extra);
    if (prediction === 'lost') return undefined;
    for (const value of prediction) {
      if (value === undefined) continue;
      const key = `${step.op} ${value < 0 ? (errnoName.get(value) ?? value) : value >= FIRST_FD && opensFd.has(step.op) ? 'fd' : value}`;
      this.predicted.set(key, (this.predicted.get(key) ?? 0) + 1);
    }
    return prediction;
  }

  private lose(why: string): 'lost' {
    this.lost = why;
    return 'lost';
  }

  private step(
    s: OracleState,
    step: Step,
    fds: readonly (number | undefined)[],
    extra: number | undefined,
  ): (number | undefined)[] | 'lost' {
    const w = this.world;
    if (step.op === 'modprobe') {
      // modprobe: already LIVE is success; a GOING module makes init_module's add_unformed_module
      // find the old one: -EEXIST [kernel/module/main.c]. After a full unload it loads again and
      // vfio_pci's probe registers both groups anew.
      if (s.vfioPci === 'going') return [E.EEXIST];
      if (s.vfioPci === 'gone') w.probeVfioPci();
      return [0];
    }
    if (step.op === 'rmmod') {
      // delete_module: a module not LIVE is -EBUSY; refcount (each open vfio device fd holds one,
      // vfio_device_open's try_module_get) is -EWOULDBLOCK.
      if (s.vfioPci === 'going') return [E.EBUSY];
      if (s.vfioPci === 'gone') return [E.ENOENT];
      if (w.deviceFds() > 0) return [EWOULDBLOCK];
      // vfio_pci_remove -> vfio_unregister_group_dev waits on container_q while the group is in a
      // container: the exit sleeps and the module stays GOING.
      if ([...s.groups.values()].some((g) => g.container !== null)) {
        s.vfioPci = 'going';
        return [undefined];
      }
      if ([...s.groups.values()].some((g) => g.opened))
        return this.lose('vfio_pci unloaded under an open group fd');
      w.removeVfioPci();
      return [0];
    }
    if (s.vfioPci === 'going') return this.lose("vfio_pci's exit asleep on container_q");
    const p = w.proc(step.proc);
    const [a, b] = fds;
    const obj = (fd: number | undefined): Obj | undefined => (fd === undefined ? undefined : p.get(fd));
    // sys_ioctl's fdget: an fd that is not open is -EBADF whatever the request.
    if (ioctlSteps.has(step.op) && obj(a) === undefined) return [E.EBADF];
    switch (step.op) {
      case 'exit':
        w.exit(step.proc);
        return [0];
      case 'open':
        return [w.open(step.proc, step.path)];
      case 'close':
        return [w.close(step.proc, a)];
      case 'attach': {
        const group = w.open(step.proc, `/dev/vfio/${step.group}`);
        const container = extra ?? w.open(step.proc, '/dev/vfio/vfio');
        return [
          group,
          container,
          this.setContainer(step.proc, group, container),
          obj(container) === undefined ? E.EBADF : this.setIommu(obj(container), VFIO.TYPE1v2_IOMMU),
        ];
      }
      case 'cdev':
        // v5.17 has no iommufd (drivers/iommu/iommufd is v6.2) and no device cdevs (v6.6): both
        // opens are -ENOENT, so IOAS_ALLOC, BIND and ATTACH on them are -EBADF.
        if (extra !== undefined) return this.lose('an iommufd fd on v5.17');
        return [
          w.open(step.proc, '/dev/iommu'),
          E.EBADF,
          w.open(step.proc, `/dev/vfio/devices/vfio${step.group}`),
          E.EBADF,
          E.EBADF,
        ];
      case 'bind':
      case 'attachPt':
        return this.lose('a device cdev fd on v5.17');
      case 'vm': {
        const kvm = extra ?? w.open(step.proc, '/dev/kvm');
        const vm = this.createVm(step.proc, kvm);
        return step.device
          ? [kvm, vm, this.createDevice(step.proc, vm, KVM.DEV_TYPE_VFIO, false)]
          : [kvm, vm];
      }
      case 'setContainer':
        return [this.setContainer(step.proc, a, b)];
      case 'unsetContainer': {
        const o = obj(a);
        if (o?.kind !== 'group') return [undefined];
        // vfio_group_unset_container: no container users -EINVAL; others beside the group fd's own -EBUSY.
        const g = o.group;
        if (g.users === 0) return [E.EINVAL];
        if (g.users !== 1) return [E.EBUSY];
        w.detach(g);
        return [0];
      }
      case 'setIommu':
        return [this.setIommu(obj(a), step.type)];
      case 'checkExtension': {
        const o = obj(a);
        if (o?.kind !== 'container') return [undefined];
        // vfio_ioctl_check_extension: without a driver each backend is asked (type1 knows its two
        // types; no NOIOMMU here); DMA_CC_IOMMU needs a domain, so 0 before SET_IOMMU.
        if (type1(step.extension)) return [1];
        if (step.extension === VFIO.DMA_CC_IOMMU) return [o.container.iommu === null ? 0 : undefined];
        return [0];
      }
      case 'groupStatus': {
        const o = obj(a);
        if (o?.kind !== 'group') return [undefined];
        // vfio_group_get_status: VIABLE if every device is bound to a vfio driver, CONTAINER_SET if attached.
        const g = o.group;
        // A group exists only while vfio_pci is bound to its device, so it is always viable here.
        return [VFIO.GROUP_FLAGS_VIABLE | (g.container === null ? 0 : VFIO.GROUP_FLAGS_CONTAINER_SET)];
      }
      case 'getDeviceFd': {
        const o = obj(a);
        if (o?.kind !== 'group') return [undefined];
        // vfio_group_get_device_fd: container users, an IOMMU driver and viability, else -EINVAL;
        // then vfio_device_get_from_name: a device of this group, else -ENODEV.
        const g = o.group;
        if (g.users === 0 || g.container?.iommu == null) return [E.EINVAL];
        if (DEVICE_IN_GROUP[g.id] !== step.device) return [E.ENODEV];
        g.users += 1;
        return [w.install(step.proc, { kind: 'vfio-device', group: g })];
      }
      case 'createVm':
        return [obj(a)?.kind === 'kvm' ? this.createVm(step.proc, a) : undefined];
      case 'createDevice':
        return [obj(a)?.kind === 'vm' ? this.createDevice(step.proc, a, step.type, step.test) : undefined];
      case 'add':
      case 'del':
        return [
          this.setGroupAttr(
            step.proc,
            a,
            step.op === 'add' ? KVM.DEV_VFIO_GROUP_ADD : KVM.DEV_VFIO_GROUP_DEL,
            b,
          ),
        ];
      case 'attr': {
        const o = obj(a);
        if (o?.kind !== 'kvm-device') return [undefined];
        // kvm_vfio_set_attr / kvm_vfio_has_attr: only KVM_DEV_VFIO_GROUP, only ADD and DEL on x86
        // (SET_SPAPR_TCE needs CONFIG_SPAPR_TCE_IOMMU): -ENXIO otherwise. kvm-vfio has no get_attr:
        // kvm_device_ioctl_attr gives -EPERM for a missing accessor.
        if (step.request === 'get') return [E.EPERM];
        const known =
          step.group === KVM.DEV_VFIO_GROUP &&
          (step.attr === KVM.DEV_VFIO_GROUP_ADD || step.attr === KVM.DEV_VFIO_GROUP_DEL);
        if (!known) return [E.ENXIO];
        if (step.request === 'has') return [0];
        return [this.setGroupAttr(step.proc, a, step.attr, b)];
      }
      case 'badAddress': {
        const o = obj(a);
        // get_user / copy_from_user on an address never handed out: -EFAULT, before any other check.
        if (step.call === 'add' || step.call === 'del')
          return [o?.kind === 'kvm-device' ? E.EFAULT : undefined];
        return [o?.kind === 'group' ? E.EFAULT : undefined];
      }
      case 'ioctl': {
        const o = obj(a);
        // Only /dev/kvm's answers are predicted (kvm_dev_ioctl); a stray KVM_CREATE_VM there makes a VM.
        if (o?.kind !== 'kvm') return [undefined];
        if (step.request === KVM.CREATE_VM) return [this.createVm(step.proc, a)];
        if (step.request === KVM.GET_API_VERSION) return [KVM.API_VERSION];
        return [undefined];
      }
    }
  }

  /** VFIO_GROUP_SET_CONTAINER [vfio_group_fops_unl_ioctl, vfio_group_set_container]. */
  private setContainer(
    proc: number,
    groupFd: number | undefined,
    containerFd: number | undefined,
  ): number | undefined {
    const w = this.world;
    const p = w.proc(proc);
    const o = groupFd === undefined ? undefined : p.get(groupFd);
    if (o === undefined) return E.EBADF;
    if (o.kind !== 'group') return undefined;
    if (containerFd === undefined || containerFd < 0) return E.EINVAL;
    const g = o.group;
    if (g.users > 0) return E.EINVAL;
    const c = p.get(containerFd);
    if (c === undefined) return E.EBADF;
    if (c.kind !== 'container') return E.EINVAL;
    w.attach(g, c.container);
    return 0;
  }

  /** VFIO_SET_IOMMU [vfio_ioctl_set_iommu]: -EINVAL with no group or a driver set; -ENODEV if no backend takes the type. */
  private setIommu(o: Obj | undefined, type: number): number | undefined {
    if (o?.kind !== 'container') return undefined;
    const c = o.container;
    if (c.groups.size === 0 || c.iommu !== null) return E.EINVAL;
    if (!type1(type)) return E.ENODEV;
    c.iommu = type;
    return 0;
  }

  /** KVM_CREATE_VM [kvm_dev_ioctl_create_vm]: a new VM fd. */
  private createVm(proc: number, kvmFd: number | undefined): number | undefined {
    const w = this.world;
    if (kvmFd === undefined || w.proc(proc).get(kvmFd)?.kind !== 'kvm') return undefined;
    return w.install(proc, { kind: 'vm', vm: w.newVm() });
  }

  /**
   * KVM_CREATE_DEVICE [kvm_ioctl_create_device]: a type past the table or without ops -ENODEV;
   * with KVM_CREATE_DEVICE_TEST 0; kvm_vfio_create allows one kvm-vfio device per VM (-EBUSY).
   */
  private createDevice(
    proc: number,
    vmFd: number | undefined,
    type: number,
    test: boolean,
  ): number | undefined {
    const w = this.world;
    const o = vmFd === undefined ? undefined : w.proc(proc).get(vmFd);
    if (o?.kind !== 'vm') return undefined;
    if (type !== KVM.DEV_TYPE_VFIO) return E.ENODEV;
    if (test) return 0;
    if (o.vm.device !== null) return E.EBUSY;
    o.vm.device = { groups: [] };
    o.vm.refs += 1;
    return w.install(proc, { kind: 'kvm-device', vm: o.vm });
  }

  /**
   * KVM_DEV_VFIO_GROUP_ADD / _DEL [virt/kvm/vfio.c v5.17 kvm_vfio_set_group]. ADD: fdget -EBADF;
   * vfio_group_get_external_user: not a group file -EINVAL, no container user to add to, no
   * IOMMU driver or not viable -EINVAL; a group already on the list -EEXIST. DEL: -EBADF, then
   * -ENOENT unless a listed group matches the file.
   */
  private setGroupAttr(
    proc: number,
    deviceFd: number | undefined,
    attr: number,
    fd: number | undefined,
  ): number | undefined {
    const w = this.world;
    const p = w.proc(proc);
    const dev = deviceFd === undefined ? undefined : p.get(deviceFd);
    if (dev?.kind !== 'kvm-device') return undefined;
    const device = dev.vm.device;
    if (device === null) return undefined;
    const file = fd === undefined ? undefined : p.get(fd);
    if (file === undefined) return E.EBADF;
    if (attr === KVM.DEV_VFIO_GROUP_ADD) {
      if (file.kind !== 'group') return E.EINVAL;
      const g = file.group;
      if (g.users === 0 || g.container?.iommu == null) return E.EINVAL;
      if (device.groups.includes(g)) return E.EEXIST;
      g.users += 1;
      device.groups.push(g);
      return 0;
    }
    if (file.kind !== 'group' || !device.groups.includes(file.group)) return E.ENOENT;
    device.groups.splice(device.groups.indexOf(file.group), 1);
    w.dropUser(file.group);
    return 0;
  }
}
