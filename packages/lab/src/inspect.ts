import type { Kernel, ModuleState, ViolationReport } from '@coupling-lab/kernel';
import { kvmState } from '@coupling-lab/kvm';
import { vfioState } from '@coupling-lab/vfio';

export interface ModuleSnapshot {
  readonly name: string;
  readonly state: ModuleState;
  readonly refcount: number;
  readonly usedBy: readonly string[];
}

export interface VmSnapshot {
  readonly id: number;
  /** The VM's devices by their ops name ('kvm-vfio'). */
  readonly devices: readonly string[];
  readonly assignedDevices: number;
  /** How many times noncoherent DMA is registered for the VM (0 or 1 when correct). */
  readonly noncoherentDma: number;
}

export interface GroupSnapshot {
  readonly id: number;
  /** User fds open on the group. */
  readonly open: number;
  readonly containerUsers: number;
  /** The VM associated by set_kvm, or null. */
  readonly kvm: number | null;
}

/** A task asleep in a syscall (an unload waiting in vfio_unregister_group_dev, say). */
export interface SleepingSnapshot {
  /** The syscall it sleeps in, e.g. `delete_module(vfio_pci)`. */
  readonly syscall: string;
  /** The wait queue it sleeps on. */
  readonly waitsOn: string;
  /** Woken, and about to run again. */
  readonly woken: boolean;
}

/** A plain-JSON snapshot of a system; lists are sorted so snapshots compare as JSON. */
export interface Snapshot {
  readonly modules: readonly ModuleSnapshot[];
  readonly vms: readonly VmSnapshot[];
  readonly groups: readonly GroupSnapshot[];
  /** Tasks asleep in a syscall, in the order they went to sleep (empty unless an unload is waiting). */
  readonly sleeping: readonly SleepingSnapshot[];
  readonly violations: readonly ViolationReport[];
  readonly tainted: boolean;
}

export function inspectKernel(kernel: Kernel): Snapshot {
  const modules = kernel
    .loadedModules()
    .map((module) => ({
      name: module.name,
      state: module.state,
      refcount: module.refcount,
      usedBy: [...module.usedBy].map((user) => user.name).sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const vms = (kvmState(kernel)?.vms ?? [])
    .map((vm) => ({
      id: vm.id,
      devices: vm.devices.map((dev) => dev.ops.name),
      assignedDevices: vm.assignedDevices,
      noncoherentDma: vm.noncoherentDma,
    }))
    .sort((a, b) => a.id - b.id);
  const groups = [...(vfioState(kernel)?.groups.values() ?? [])]
    .map((group) => ({
      id: group.id,
      open: group.opened,
      containerUsers: group.containerUsers,
      kvm: group.kvm?.id ?? null,
    }))
    .sort((a, b) => a.id - b.id);
  const sleeping = kernel.sleepingTasks().map((task) => ({
    syscall: task.syscall,
    waitsOn: task.sleep.wq.name,
    woken: task.woken,
  }));
  return {
    modules,
    vms,
    groups,
    sleeping,
    violations: kernel.violations.map((violation) => violation.toJSON()),
    tainted: kernel.tainted,
  };
}
