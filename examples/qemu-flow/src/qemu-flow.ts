import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';
import { boot, countersDelta, errnoName, KVM, type Process, type System, VFIO } from '@coupling-lab/lab';

/** One line of the trace: the syscall, its result, and what it cost in the kernel model. */
export interface TraceLine {
  readonly call: string;
  readonly result: number;
  readonly symbolLookups: number;
  readonly moduleGets: number;
  readonly modulePuts: number;
  readonly crossModuleCalls: number;
}

const PCI_DEVICE = '0000:01:00.0';

/**
 * QEMU's own order of calls when it assigns a VFIO device to a VM (hw/vfio/common.c and
 * hw/vfio/pci.c), then the teardown, against the strategy named `strategy`.
 */
export function qemuFlow(strategy: string): { lines: TraceLine[]; sys: System } {
  const sys = boot({ strategy });
  if (sys.modprobeAll() < 0) throw new Error(`${strategy}: its modules do not load`);
  const qemu = sys.spawn('qemu');
  const lines: TraceLine[] = [];
  const step = (call: string, run: (p: Process) => number): number => {
    const before = sys.counters;
    const result = run(qemu);
    const cost = countersDelta(before, sys.counters);
    lines.push({ call, result, ...cost });
    return result;
  };
  const attr = (attr: number, fd: number): { group: number; attr: number; addr: number } => ({
    group: KVM.DEV_VFIO_GROUP,
    attr,
    addr: qemu.userInt32(fd),
  });

  const group = step('open("/dev/vfio/26")', (p) => p.open('/dev/vfio/26'));
  step('ioctl(group, VFIO_GROUP_GET_STATUS)', (p) => p.ioctl(group, VFIO.GROUP_GET_STATUS));
  const container = step('open("/dev/vfio/vfio")', (p) => p.open('/dev/vfio/vfio'));
  step('ioctl(container, VFIO_GET_API_VERSION)', (p) => p.ioctl(container, VFIO.GET_API_VERSION));
  step('ioctl(container, VFIO_CHECK_EXTENSION, TYPE1v2)', (p) =>
    p.ioctl(container, VFIO.CHECK_EXTENSION, VFIO.TYPE1v2_IOMMU),
  );
  step('ioctl(group, VFIO_GROUP_SET_CONTAINER)', (p) =>
    p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)),
  );
  step('ioctl(container, VFIO_SET_IOMMU, TYPE1v2)', (p) =>
    p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU),
  );
  const kvm = step('open("/dev/kvm")', (p) => p.open('/dev/kvm'));
  const vm = step('ioctl(kvm, KVM_CREATE_VM)', (p) => p.ioctl(kvm, KVM.CREATE_VM));
  const dev = step('ioctl(vm, KVM_CREATE_DEVICE, VFIO)', (p) =>
    p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO }),
  );
  step('ioctl(dev, KVM_SET_DEVICE_ATTR, GROUP_ADD)', (p) =>
    p.ioctl(dev, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_ADD, group)),
  );
  const device = step(`ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "${PCI_DEVICE}")`, (p) =>
    p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString(PCI_DEVICE)),
  );
  step('ioctl(dev, KVM_SET_DEVICE_ATTR, GROUP_DEL)', (p) =>
    p.ioctl(dev, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_GROUP_DEL, group)),
  );
  step('close(device)', (p) => p.close(device));
  step('ioctl(group, VFIO_GROUP_UNSET_CONTAINER)', (p) => p.ioctl(group, VFIO.GROUP_UNSET_CONTAINER));
  step('close(group)', (p) => p.close(group));
  step('close(container)', (p) => p.close(container));
  step('close(dev)', (p) => p.close(dev));
  step('close(vm)', (p) => p.close(vm));
  step('close(kvm)', (p) => p.close(kvm));
  return { lines, sys };
}

/** The trace as a readable table. */
export function formatTrace(lines: readonly TraceLine[]): string {
  const width = Math.max(...lines.map((line) => line.call.length));
  const result = (value: number): string => (value < 0 ? `-${errnoName(value) ?? -value}` : String(value));
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return lines
    .map(
      (line) =>
        `${line.call.padEnd(width)}  = ${result(line.result).padEnd(8)} ${count(line.symbolLookups, 'lookup')}, ${line.moduleGets} get/${line.modulePuts} put, ${count(line.crossModuleCalls, 'cross-module call')}`,
    )
    .join('\n');
}
