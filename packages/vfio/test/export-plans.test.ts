import { Kernel, type ModuleImage } from '@coupling-lab/kernel';
import {
  defaultDevices,
  externalUserExports,
  fileExports,
  fileExportsV65,
  fileExportsV66,
  getOpsExports,
  getOpsExportsWithDevices,
  type KvmRef,
  VFIO,
  vfioImage,
  vfioPciImage,
  vmReferenceBySymbolGet,
} from '@coupling-lab/vfio';
import { ok, refcount } from './helpers';

test.each([
  [externalUserExports, 'external-user', 6],
  [fileExports, 'file', 3],
  [fileExportsV65, 'file (v6.5, group files)', 3],
  [fileExportsV66, 'file (v6.6)', 3],
  [getOpsExports, 'get-ops', 1],
  [getOpsExportsWithDevices, 'get-ops (group and device files)', 1],
] as const)(
  'the %#th export plan (%s) exports its %i GPL functions, and vfio loaded with it resolves each one',
  (plan, name, count) => {
    expect(plan.name).toBe(name);
    const names = Object.keys(plan.exports);
    expect(names).toHaveLength(count);
    expect(Object.values(plan.exports).every((decl) => decl.gpl === true)).toBe(true);
    const kernel = new Kernel();
    kernel.registerImage(vfioImage([plan]));
    expect(kernel.image('vfio')?.description).toContain(name);
    ok(kernel.modprobe('vfio'), 'modprobe vfio');
    for (const symbol of names) {
      expect([symbol, typeof kernel.symbolGet(symbol)]).toEqual([symbol, 'function']);
      kernel.symbolPut(symbol);
    }
  },
);

test('vfio built with no export plan says so in its description, as modinfo shows it', () => {
  expect(vfioImage([]).description).toBe('VFIO core and type1 IOMMU backend (exports for KVM: none)');
  expect(vfioImage([fileExports, getOpsExports]).description).toBe(
    'VFIO core and type1 IOMMU backend (exports for KVM: file, get-ops)',
  );
});

/** A stand-in kvm exporting the two functions VFIO's default VM reference symbol_get()s. */
function fakeKvm(log: string[], safe: boolean): ModuleImage {
  return {
    name: 'kvm',
    description: 'kvm_get_kvm_safe and kvm_put_kvm only',
    imports: [],
    exports: { kvm_get_kvm_safe: { gpl: true }, kvm_put_kvm: { gpl: true } },
    load: () => ({
      symbols: {
        kvm_get_kvm_safe: (kvm: unknown) => {
          log.push(`get ${String(kvm)}`);
          return safe;
        },
        kvm_put_kvm: (kvm: unknown) => log.push(`put ${String(kvm)}`),
      },
      exit: () => undefined,
    }),
  };
}

function holdingVm(
  withKvm: boolean,
  safe = true,
): { kernel: Kernel; log: string[]; openDevice: () => () => void } {
  const log: string[] = [];
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], { behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: true } }),
  );
  kernel.registerImage(vfioPciImage(defaultDevices));
  kernel.registerImage(fakeKvm(log, safe));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  if (withKvm) ok(kernel.modprobe('kvm'), 'modprobe kvm');
  const openDevice = (): (() => void) => {
    const p = kernel.spawn('qemu');
    const container = ok(p.open('/dev/vfio/vfio'), 'open container');
    const group = ok(p.open('/dev/vfio/26'), 'open group');
    ok(p.ioctl(group, VFIO.GROUP_SET_CONTAINER, p.userInt32(container)), 'SET_CONTAINER');
    ok(p.ioctl(container, VFIO.SET_IOMMU, VFIO.TYPE1v2_IOMMU), 'SET_IOMMU');
    const setKvm = kernel.symbolGet<(file: unknown, kvm: unknown) => void>('vfio_file_set_kvm');
    setKvm?.(p.fds.get(group), 'vm1');
    kernel.symbolPut('vfio_file_set_kvm');
    const device = ok(
      p.ioctl(group, VFIO.GROUP_GET_DEVICE_FD, p.userString('0000:01:00.0')),
      'GET_DEVICE_FD',
    );
    return () => ok(p.close(device), 'close device');
  };
  return { kernel, log, openDevice };
}

test("VFIO's VM reference (vfio_device_get_kvm_safe): kvm_get_kvm_safe at the device's open, kvm_put_kvm kept, and so kvm pinned, until its close", () => {
  const { kernel, log, openDevice } = holdingVm(true);
  const close = openDevice();
  expect(log).toEqual(['get vm1']);
  // kvm_get_kvm_safe is put at once; kvm_put_kvm's reference stays with the held VM.
  expect(refcount(kernel, 'kvm')).toBe(1);
  close();
  expect(log).toEqual(['get vm1', 'put vm1']);
  expect(refcount(kernel, 'kvm')).toBe(0);
});

test('no VM reference without kvm loaded, or when kvm_get_kvm_safe refuses (the VM going away): every symbol put', () => {
  const absent = holdingVm(false);
  absent.openDevice()();
  expect(absent.log).toEqual([]);
  const refused = holdingVm(true, false);
  const close = refused.openDevice();
  expect(refused.log).toEqual(['get vm1']);
  expect(refcount(refused.kernel, 'kvm')).toBe(0);
  close();
  expect(refused.log).toEqual(['get vm1']);
});

test('a kvm that exports kvm_put_kvm but no kvm_get_kvm_safe gives no VM reference, and kvm_put_kvm is put back', () => {
  const kernel = new Kernel();
  kernel.registerImage({
    name: 'kvm',
    description: 'kvm_put_kvm only',
    imports: [],
    exports: { kvm_put_kvm: { gpl: true } },
    load: () => ({ symbols: { kvm_put_kvm: () => undefined }, exit: () => undefined }),
  });
  ok(kernel.modprobe('kvm'), 'modprobe kvm');
  expect(vmReferenceBySymbolGet(kernel).get('vm1' as unknown as KvmRef)).toBeNull();
  expect(refcount(kernel, 'kvm')).toBe(0);
});
