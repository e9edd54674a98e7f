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

interface PlainDevice {
  readonly type: number;
  readonly groups: PlainGroup[];
}

interface PlainVm {
  readonly groups: PlainGroup[];
  readonly devices: PlainDevice[];
  readonly fds: Map<number, PlainDevice>;
  assigned: number;
  noncoherent: boolean;
}

const KVM_DEV_TYPE_VFIO = 4;

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
  return { groups: [], devices: [], fds: new Map(), assigned: 0, noncoherent: false };
}

/** KVM_CREATE_DEVICE's work: one VFIO device per VM, allocated, listed and given the lowest free fd. */
function createDevice(vm: PlainVm): number {
  if (vm.devices.some((device) => device.type === KVM_DEV_TYPE_VFIO)) return -16;
  const device: PlainDevice = { type: KVM_DEV_TYPE_VFIO, groups: vm.groups };
  vm.devices.push(device);
  let fd = 3;
  while (vm.fds.has(fd)) fd++;
  vm.fds.set(fd, device);
  return fd;
}

function destroy(vm: PlainVm, fds: Map<number, PlainGroup>): number {
  for (const [fd, group] of fds) if (vm.groups.includes(group)) del(vm, fds, fd);
  vm.devices.length = 0;
  vm.fds.clear();
  return 0;
}

/**
 * Independent copies of the state one run works on: the floor is a few ns, the size of the clock
 * pair around a bracketed run, so each run does its operation on every copy (opsPerRun) and the
 * clock pair is spread over them instead of swamping the figure.
 */
const COPIES = 32;

interface PlainState {
  readonly fds: Map<number, PlainGroup>;
  vm: PlainVm;
}

function newState(): PlainState {
  return {
    fds: new Map<number, PlainGroup>([
      [3, { id: 26, coherent: true, kvm: null }],
      [4, { id: 27, coherent: false, kvm: null }],
    ]),
    vm: newVm(),
  };
}

/** The floor's version of one operation. */
export function noModelOperation(name: OperationName): TimedOperation {
  const states = Array.from({ length: COPIES }, newState);
  const each = (f: (state: PlainState) => unknown): number => {
    let sink = 0;
    for (const state of states) sink += Number(f(state));
    return sink;
  };
  switch (name) {
    case 'GROUP_ADD':
      return {
        opsPerRun: COPIES,
        run: () => each((s) => add(s.vm, s.fds, 4)),
        restore: () => void each((s) => del(s.vm, s.fds, 4)),
      };
    case 'GROUP_DEL':
      return {
        opsPerRun: COPIES,
        prepare: () => void each((s) => add(s.vm, s.fds, 4)),
        run: () => each((s) => del(s.vm, s.fds, 4)),
      };
    case 'DEVICE_CREATE':
      return {
        opsPerRun: COPIES,
        prepare: () =>
          void each((s) => {
            s.vm = newVm();
            return 0;
          }),
        run: () => each((s) => createDevice(s.vm)),
      };
    case 'DEVICE_DESTROY':
      return {
        opsPerRun: COPIES,
        prepare: () =>
          void each((s) => {
            s.vm = newVm();
            createDevice(s.vm);
            return add(s.vm, s.fds, 4);
          }),
        run: () => each((s) => destroy(s.vm, s.fds)),
      };
    case 'VM_LIFE': {
      const state = states[0] as PlainState;
      return {
        run: () => {
          const life = newVm();
          createDevice(life);
          add(life, state.fds, 3);
          del(life, state.fds, 3);
          return destroy(life, state.fds);
        },
      };
    }
  }
}
