import { boot, type FileApiV66, KVM } from '@coupling-lab/lab';
import { fileStrategy } from './file-strategy';

function withCdev() {
  const sys = boot({ strategy: fileStrategy, linux: 'v6.6', onViolation: 'record' });
  expect(sys.modprobeAll()).toBe(0);
  const p = sys.spawn('qemu');
  const cdev = p.open('/dev/vfio/devices/vfio0');
  const file = p.fds.get(cdev);
  if (file === undefined) throw new Error('the cdev did not open');
  return { sys, p, cdev, file };
}

test('a device file whose df->kvm names a VM that does not hold it is a stale-association', () => {
  const { sys, file } = withCdev();
  const setKvm = sys.kernel.symbolGet<FileApiV66['vfio_file_set_kvm']>('vfio_file_set_kvm');
  if (setKvm === null) throw new Error('vfio is not loaded');
  setKvm(file, { id: 99 });
  sys.kernel.symbolPut('vfio_file_set_kvm');
  sys.checkInvariants();
  expect(sys.inspect().violations).toMatchObject([
    {
      kind: 'stale-association',
      object: '/dev/vfio/devices/vfio0',
      message: expect.stringMatching(/associated with VM 99, which no longer exists/),
    },
  ]);
});

test('a device file KVM holds through FILE_ADD is no stale association, and FILE_DEL clears it', () => {
  const { sys, p, cdev } = withCdev();
  const vm = p.ioctl(p.open('/dev/kvm'), KVM.CREATE_VM);
  const device = p.ioctl(vm, KVM.CREATE_DEVICE, { type: KVM.DEV_TYPE_VFIO });
  const attr = (a: number) => ({ group: KVM.DEV_VFIO_FILE, attr: a, addr: p.userInt32(cdev) });
  expect(p.ioctl(device, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_FILE_ADD))).toBe(0);
  sys.checkInvariants();
  expect(p.ioctl(device, KVM.SET_DEVICE_ATTR, attr(KVM.DEV_VFIO_FILE_DEL))).toBe(0);
  sys.checkInvariants();
  expect(sys.inspect().violations).toEqual([]);
});
