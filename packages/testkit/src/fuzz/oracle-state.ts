/**
 * The oracle's own picture of a Linux v5.17 machine with kvm, vfio, vfio_pci (and whatever glue)
 * loaded: per process fd tables, VFIO groups and containers with their container_users, VMs with
 * their kvm-vfio device's group list. Written from drivers/vfio/vfio.c and virt/kvm/{kvm_main,vfio}.c,
 * independently of packages/vfio and packages/kvm (see oracle.ts).
 */

export interface OracleGroup {
  readonly id: number;
  /** vfio_group_fops_open's `opened`: one user fd at a time. */
  opened: boolean;
  container: OracleContainer | null;
  /** container_users: the group fd's attachment, each device fd, each external user (KVM). */
  users: number;
}

export interface OracleContainer {
  readonly groups: Set<OracleGroup>;
  /** The IOMMU type SET_IOMMU chose; released when the last group leaves. */
  iommu: number | null;
}

export interface OracleVm {
  /** kvm->users_count as files hold it: the VM fd and each device fd (kvm_get_kvm in kvm_ioctl_create_device). */
  refs: number;
  /** The VM's kvm-vfio device (one per VM), with the groups it holds an external user of. */
  device: { readonly groups: OracleGroup[] } | null;
}

export type Obj =
  | { readonly kind: 'container'; readonly container: OracleContainer }
  | { readonly kind: 'group'; readonly group: OracleGroup }
  | { readonly kind: 'kvm' }
  | { readonly kind: 'vm'; readonly vm: OracleVm }
  | { readonly kind: 'kvm-device'; readonly vm: OracleVm }
  | { readonly kind: 'vfio-device'; readonly group: OracleGroup };

export interface OracleState {
  vfioPci: 'live' | 'going' | 'gone';
  /** The groups vfio_pci's probe created (vfio_group_find_or_alloc), by IOMMU group id. */
  readonly groups: Map<number, OracleGroup>;
  readonly procs: Map<number, Obj>[];
}

/** The default machine's IOMMU groups, each with one PCI device bound to vfio_pci (SPEC 12). */
const GROUP_IDS = [26, 27];
/** get_unused_fd_flags: the lowest free fd; 0-2 are the standard streams. */
const FIRST_FD = 3;
const ENOENT = -2;
const EBADF = -9;
const EBUSY = -16;

export class OracleWorld {
  readonly state: OracleState = { vfioPci: 'gone', groups: new Map(), procs: [] };

  constructor(processes = 2) {
    for (let i = 0; i < processes; i++) this.state.procs.push(new Map());
    this.probeVfioPci();
  }

  proc(index: number): Map<number, Obj> {
    const table = this.state.procs[index];
    if (table === undefined) throw new Error(`oracle: no process p${index}`);
    return table;
  }

  /** fd_install at the lowest free fd. */
  install(proc: number, obj: Obj): number {
    const table = this.proc(proc);
    let fd = FIRST_FD;
    while (table.has(fd)) fd++;
    table.set(fd, obj);
    return fd;
  }

  /** open(2) of the fuzzer's paths: the container and /dev/kvm always open; a group once, and not while still in a container. */
  open(proc: number, path: string): number {
    if (path === '/dev/vfio/vfio')
      return this.install(proc, { kind: 'container', container: { groups: new Set(), iommu: null } });
    if (path === '/dev/kvm') return this.install(proc, { kind: 'kvm' });
    const group = this.state.groups.get(Number(path.slice('/dev/vfio/'.length)));
    // No device node without a group (vfio_pci not bound, or no such IOMMU group).
    if (group === undefined) return ENOENT;
    // vfio_group_fops_open: atomic_cmpxchg(&group->opened, 0, 1), then -EBUSY if group->container.
    if (group.opened || group.container !== null) return EBUSY;
    group.opened = true;
    return this.install(proc, { kind: 'group', group });
  }

  /** close(2): -EBADF for an fd not open; else the file's release. */
  close(proc: number, fd: number | undefined): number {
    const table = this.proc(proc);
    const obj = fd === undefined ? undefined : table.get(fd);
    if (fd === undefined || obj === undefined) return EBADF;
    table.delete(fd);
    this.release(obj);
    return 0;
  }

  /** do_exit -> close_files: every fd, lowest first. */
  exit(proc: number): void {
    const table = this.proc(proc);
    for (const fd of [...table.keys()].sort((a, b) => a - b)) this.close(proc, fd);
  }

  private release(obj: Obj): void {
    switch (obj.kind) {
      case 'group':
        // vfio_group_fops_release: vfio_group_try_dissolve_container, then opened = 0.
        obj.group.opened = false;
        this.dropUser(obj.group);
        return;
      case 'vfio-device':
        // vfio_device_fops_release -> vfio_group_try_dissolve_container.
        this.dropUser(obj.group);
        return;
      case 'vm':
      case 'kvm-device':
        // kvm_vm_release / kvm_device_release -> kvm_put_kvm; the last one destroys the VM, and
        // kvm_destroy_devices -> kvm_vfio_destroy puts each group's external user.
        obj.vm.refs -= 1;
        if (obj.vm.refs === 0 && obj.vm.device !== null) {
          for (const group of obj.vm.device.groups) this.dropUser(group);
          obj.vm.device = null;
        }
        return;
      default:
        return;
    }
  }

  newVm(): OracleVm {
    return { refs: 1, device: null };
  }

  /** vfio_group_set_container's success: the group joins the container, its first container user. */
  attach(group: OracleGroup, container: OracleContainer): void {
    container.groups.add(group);
    group.container = container;
    group.users = 1;
  }

  /** vfio_group_try_dissolve_container: atomic_dec_if_positive; reaching zero leaves the container. */
  dropUser(group: OracleGroup): void {
    if (group.users === 0) return;
    group.users -= 1;
    if (group.users === 0) this.detach(group);
  }

  /** __vfio_group_unset_container: the last group out releases the container's IOMMU driver. */
  detach(group: OracleGroup): void {
    const container = group.container;
    if (container !== null) {
      container.groups.delete(group);
      if (container.groups.size === 0) container.iommu = null;
    }
    group.container = null;
    group.users = 0;
  }

  /** Open VFIO device fds (each pins vfio_pci). */
  deviceFds(): number {
    return this.state.procs.reduce(
      (n, table) => n + [...table.values()].filter((obj) => obj.kind === 'vfio-device').length,
      0,
    );
  }

  /** vfio_pci's probe of each device: a fresh group per IOMMU group. */
  probeVfioPci(): void {
    this.state.vfioPci = 'live';
    this.state.groups.clear();
    for (const id of GROUP_IDS) this.state.groups.set(id, { id, opened: false, container: null, users: 0 });
  }

  removeVfioPci(): void {
    this.state.vfioPci = 'gone';
    this.state.groups.clear();
  }
}
