import type { OperationName } from './operations.js';
import type { TimedOperation } from './timing/index.js';

// The "no model" floor: the same work each operation does (find the group, check for a duplicate,
// record it, tell VFIO the VM, recompute coherency, count the assignment), as plain objects and
// function calls with no kernel model under them: no modules, refcounts, files or preemption points.
// The distance between this and `direct` is the model's own overhead.

interface PlainGroup {
  readonly id: number;
  readonly coherent: boolean;
  kvm: PlainVm | null;
}

interface PlainVm {
  readonly groups: PlainGroup[];
  assigned: number;
  noncoherent: boolean;
  devices: number;
}

function add(vm: PlainVm, fds: Map<number, PlainGroup>, fd: number): number {
  const group = fds.get(fd);
  if (group === undefined) return -9;
  if (vm.groups.includes(group)) return -17;
  vm.groups.push(group);
  vm.assigned += 1;
  group.kvm = vm;
  updateCoherency(vm);
  return 0;
}

function del(vm: PlainVm, fds: Map<number, PlainGroup>, fd: number): number {
  const group = fds.get(fd);
  const index = group === undefined ? -1 : vm.groups.indexOf(group);
  if (group === undefined || index < 0) return -2;
  vm.groups.splice(index, 1);
  vm.assigned -= 1;
  group.kvm = null;
  updateCoherency(vm);
  return 0;
}

function updateCoherency(vm: PlainVm): void {
  vm.noncoherent = vm.groups.some((group) => !group.coherent);
}

function newVm(): PlainVm {
  return { groups: [], assigned: 0, noncoherent: false, devices: 0 };
}

function destroy(vm: PlainVm, fds: Map<number, PlainGroup>): number {
  for (const [fd, group] of fds) if (vm.groups.includes(group)) del(vm, fds, fd);
  vm.devices = 0;
  return 0;
}

/** The floor's version of one operation. */
export function noModelOperation(name: OperationName): TimedOperation {
  const fds = new Map<number, PlainGroup>([
    [3, { id: 26, coherent: true, kvm: null }],
    [4, { id: 27, coherent: false, kvm: null }],
  ]);
  let vm = newVm();
  switch (name) {
    case 'GROUP_ADD':
      return { run: () => add(vm, fds, 4), restore: () => del(vm, fds, 4) };
    case 'GROUP_DEL':
      return { prepare: () => add(vm, fds, 4), run: () => del(vm, fds, 4) };
    case 'DEVICE_CREATE':
      return {
        prepare: () => {
          vm = newVm();
        },
        run: () => (vm.devices += 1),
      };
    case 'DEVICE_DESTROY':
      return {
        prepare: () => {
          vm = newVm();
          vm.devices = 1;
          add(vm, fds, 4);
        },
        run: () => destroy(vm, fds),
      };
    case 'VM_LIFE':
      return {
        run: () => {
          const life = newVm();
          life.devices = 1;
          add(life, fds, 3);
          del(life, fds, 3);
          return destroy(life, fds);
        },
      };
  }
}
