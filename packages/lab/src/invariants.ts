import { File, type Kernel } from '@coupling-lab/kernel';
import { kvmState, kvmVfioHandles } from '@coupling-lab/kvm';
import { type DeviceFileState, VfioGroup, vfioState } from '@coupling-lab/vfio';

/**
 * VFIO's view and KVM's must agree: a group associated with a VM (set_kvm) must be held by that
 * VM's kvm-vfio device. Otherwise VFIO keeps a pointer to a VM that no longer holds the group (the
 * 2023 upstream bug 9e0f4f2918c2 left exactly that behind): a `stale-association`.
 */
export function checkAssociations(kernel: Kernel): void {
  const vfio = vfioState(kernel);
  if (vfio === undefined) return;
  const vms = kvmState(kernel)?.vms ?? [];
  for (const group of vfio.groups.values()) {
    if (group.kvm === null) continue;
    const vm = vms.find((candidate) => candidate === group.kvm);
    const held =
      vm?.devices.some((dev) => kvmVfioHandles(dev).some((handle) => groupOfHandle(handle) === group)) ??
      false;
    if (!held) {
      kernel.violation(
        'stale-association',
        `${group.label} is associated with VM ${group.kvm.id}, which ${vm === undefined ? 'no longer exists' : 'does not hold it'}`,
        { module: 'vfio', object: group.label },
      );
    }
  }
  // The same for a device file (v6.6): df->kvm must be a VM whose kvm-vfio device holds that file.
  for (const file of kernel.openFiles()) {
    if (file.fops !== vfio.deviceFops && file.fops !== vfio.cdevFops) continue;
    const df = file.privateData as DeviceFileState;
    const kvm = df.kvm ?? null;
    if (kvm === null) continue;
    const vm = vms.find((candidate) => candidate === kvm);
    const held =
      vm?.devices.some((dev) => kvmVfioHandles(dev).some((handle) => fileOfHandle(handle) === file)) ?? false;
    if (!held) {
      kernel.violation(
        'stale-association',
        `${file.path} is associated with VM ${kvm.id}, which ${vm === undefined ? 'no longer exists' : 'does not hold it'}`,
        { module: 'vfio', object: file.path },
      );
    }
  }
}

/** The file a kvm-vfio handle holds, if it is file-based (the file itself, or a record holding it). */
function fileOfHandle(handle: unknown): File | undefined {
  if (handle instanceof File) return handle;
  if (typeof handle === 'object' && handle !== null && 'file' in handle && handle.file instanceof File)
    return handle.file;
  return undefined;
}

/**
 * The group a kvm-vfio handle stands for, read the way debugfs would (no KASAN check: inspection
 * must not change what it inspects): a group reference, a group file, or a record holding one.
 */
function groupOfHandle(handle: unknown): VfioGroup | undefined {
  if (handle instanceof VfioGroup) return handle;
  if (handle instanceof File) return handle.privateData instanceof VfioGroup ? handle.privateData : undefined;
  if (typeof handle === 'object' && handle !== null && 'file' in handle) return groupOfHandle(handle.file);
  return undefined;
}
