import { boot, errno, KVM, runsOn, resolveStrategy, type System } from '@coupling-lab/lab';
import { fileAdd, fileDel, qemuCdev } from '@coupling-lab/testkit';
import { realStrategies } from './strategies';

/** Every real strategy that exists on v6.6 (symbol-get's functions were removed in v5.19). */
const v66Strategies = realStrategies.filter((name) => runsOn(resolveStrategy(name), 'v6.6') === true);

/** QEMU's device-fd sequence (open cdev, bind iommufd, attach, KVM_CREATE_DEVICE, FILE_ADD, FILE_DEL, close): its syscall results. */
function deviceFdSequence(sys: System): number[] {
  sys.modprobeAll();
  const q = qemuCdev(sys, { add: false });
  const p = q.process;
  const device = q.device(26);
  const results = [
    fileAdd(p, q.kvmDevice, device),
    sys.inspect().vms[0]?.assignedDevices ?? -1,
    fileAdd(p, q.kvmDevice, device),
    fileDel(p, q.kvmDevice, device),
    fileDel(p, q.kvmDevice, device),
    p.ioctl(q.kvmDevice, KVM.HAS_DEVICE_ATTR, {
      group: KVM.DEV_VFIO_FILE,
      attr: KVM.DEV_VFIO_FILE_ADD,
      addr: 0,
    }),
    p.close(device),
    p.close(q.iommufd),
    p.close(q.kvmDevice),
    p.close(q.vm),
  ];
  return results;
}

test('QEMU with a device fd gets the same syscall results on every v6.6 strategy', () => {
  const results = v66Strategies.map((strategy) => {
    const sys = boot({ strategy, linux: 'v6.6' });
    const r = deviceFdSequence(sys);
    expect(sys.teardown()).toEqual([]);
    expect(sys.inspect().violations).toEqual([]);
    return r;
  });
  expect(v66Strategies).toHaveLength(4);
  expect(results[0]).toEqual([0, 1, -errno.EEXIST, 0, -errno.ENOENT, 0, 0, 0, 0, 0]);
  for (const r of results) expect(r).toEqual(results[0]);
});
