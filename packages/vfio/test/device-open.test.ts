import { errno, Kernel, type Module, type PreemptionPoint } from '@coupling-lab/kernel';
import {
  defaultDevices,
  fileExportsV66,
  type PciDeviceConfig,
  VFIO,
  vfioImage,
  vfioPciImage,
} from '@coupling-lab/vfio';
import { attach, fileOf, groupFd, groupOf, ok, refcount, vfioKernel } from './helpers';

// GET_DEVICE_FD's open and the unbind, for both group rules (v5.17's and the file-based v6.6's).

/** A v6.6 kernel (file-based groups, no VM references) with vfio_pci bound to `devices`. */
function v66Kernel(devices: readonly PciDeviceConfig[] = defaultDevices): Kernel {
  const kernel = new Kernel();
  kernel.registerImage(
    vfioImage([fileExportsV66], {
      behaviour: { groups: 'file', setKvmLock: 'kvm_ref_lock', holdsVm: false },
    }),
  );
  kernel.registerImage(vfioPciImage(devices));
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci');
  return kernel;
}

const kernels: readonly [string, (devices?: readonly PciDeviceConfig[]) => Kernel][] = [
  ['v5.17', (devices) => vfioKernel({}, devices)],
  ['v6.6', v66Kernel],
];

/** Runs `call` with `module` made GOING (another CPU's rmmod past try_stop_module) at the `nth` `point` on it. */
function goingAt(
  kernel: Kernel,
  name: string,
  point: PreemptionPoint,
  nth: number,
  call: () => number,
): number {
  const module = kernel.findModule(name) as Module;
  let seen = 0;
  kernel.hook = (at, subject) => {
    if (at === point && subject === name && ++seen === nth) module.state = 'GOING';
  };
  try {
    return call();
  } finally {
    kernel.hook = undefined;
    module.state = 'LIVE';
  }
}

const DEVICE_26 = '0000:01:00.0';

describe.each(kernels)('%s', (_version, boot) => {
  test('a device fd is an anon inode named [vfio-device], as /proc/<pid>/fd shows it', () => {
    const kernel = boot();
    const a = attach(kernel, [26]);
    const fd = ok(
      a.p.ioctl(groupFd(a, 26), VFIO.GROUP_GET_DEVICE_FD, a.p.userString(DEVICE_26)),
      'GET_DEVICE_FD',
    );
    expect(fileOf(a.p, fd).path).toBe('anon_inode:[vfio-device]');
  });

  test('GET_DEVICE_FD whose anon inode cannot pin vfio gives -ENOENT (anon_inode_getfile) and gives back what the open took', () => {
    const kernel = boot();
    const a = attach(kernel, [26]);
    const before = {
      users: groupOf(kernel, 26).containerUsers,
      pci: refcount(kernel, 'vfio_pci'),
      vfio: refcount(kernel, 'vfio'),
    };
    const name = a.p.userString(DEVICE_26);
    // The open pins vfio_pci; anon_inode_getfile's try_module_get is the first on vfio.
    expect(
      goingAt(kernel, 'vfio', 'module-get', 1, () =>
        a.p.ioctl(groupFd(a, 26), VFIO.GROUP_GET_DEVICE_FD, name),
      ),
    ).toBe(-errno.ENOENT);
    expect({
      users: groupOf(kernel, 26).containerUsers,
      pci: refcount(kernel, 'vfio_pci'),
      vfio: refcount(kernel, 'vfio'),
    }).toEqual(before);
    expect(kernel.violations).toEqual([]);
    // Nothing of the failed open is left: the device opens now.
    expect(a.p.ioctl(groupFd(a, 26), VFIO.GROUP_GET_DEVICE_FD, name)).toBeGreaterThanOrEqual(0);
  });

  test('GET_DEVICE_FD while vfio_pci is going away gives -ENODEV (try_module_get of the driver) and takes nothing', () => {
    const kernel = boot();
    const a = attach(kernel, [26]);
    const users = groupOf(kernel, 26).containerUsers;
    const name = a.p.userString(DEVICE_26);
    expect(
      goingAt(kernel, 'vfio_pci', 'module-get', 1, () =>
        a.p.ioctl(groupFd(a, 26), VFIO.GROUP_GET_DEVICE_FD, name),
      ),
    ).toBe(-errno.ENODEV);
    expect(groupOf(kernel, 26).containerUsers).toBe(users);
    expect(refcount(kernel, 'vfio_pci')).toBe(0);
  });

  test('a group of two devices keeps its node while one is unbound, and rmmod vfio_pci frees it once, cleanly', () => {
    const devices: PciDeviceConfig[] = [
      { address: '0000:05:00.0', iommuGroup: 30, coherent: true },
      { address: '0000:05:00.1', iommuGroup: 30, coherent: true },
    ];
    const kernel = boot(devices);
    const paths: string[][] = [];
    // The nodes at the start of each unbind: after the first the group still has a bound device.
    kernel.hook = (point, subject) => {
      if (point === 'call' && subject === 'vfio_unregister_group_dev') paths.push(kernel.devicePaths());
    };
    expect(kernel.deleteModule('vfio_pci')).toBe(0);
    kernel.hook = undefined;
    expect(paths).toEqual([
      ['/dev/vfio/30', '/dev/vfio/vfio'],
      ['/dev/vfio/30', '/dev/vfio/vfio'],
    ]);
    expect(kernel.devicePaths()).toEqual(['/dev/vfio/vfio']);
    expect(kernel.violations).toEqual([]);
    expect(kernel.deleteModule('vfio')).toBe(0);
  });
});

describe('v6.6 (vfio_df_group_open): only the first open of a device takes the driver and a container user', () => {
  test('a second fd of the same device takes neither; the last close drops both', () => {
    const kernel = v66Kernel();
    const a = attach(kernel, [26]);
    const name = a.p.userString(DEVICE_26);
    const open = (): number => ok(a.p.ioctl(groupFd(a, 26), VFIO.GROUP_GET_DEVICE_FD, name), 'GET_DEVICE_FD');
    const first = open();
    expect([groupOf(kernel, 26).containerUsers, refcount(kernel, 'vfio_pci')]).toEqual([2, 1]);
    const second = open();
    expect([groupOf(kernel, 26).containerUsers, refcount(kernel, 'vfio_pci')]).toEqual([2, 1]);
    ok(a.p.close(first), 'close first');
    expect([groupOf(kernel, 26).containerUsers, refcount(kernel, 'vfio_pci')]).toEqual([2, 1]);
    ok(a.p.close(second), 'close second');
    expect([groupOf(kernel, 26).containerUsers, refcount(kernel, 'vfio_pci')]).toEqual([1, 0]);
  });

  test("an open racing the last driver's unbind finds no driver: -ENODEV (refcount_read(&group->drivers) == 0)", () => {
    const kernel = v66Kernel();
    const p = kernel.spawn('qemu');
    let unbound = false;
    kernel.hook = (point, subject) => {
      if (unbound || point !== 'lock' || subject !== 'vfio_group.group_lock') return;
      unbound = true;
      expect(kernel.deleteModule('vfio_pci')).toBe(0);
    };
    expect(p.open('/dev/vfio/26')).toBe(-errno.ENODEV);
    kernel.hook = undefined;
    expect(unbound).toBe(true);
    expect(refcount(kernel, 'vfio')).toBe(0);
  });
});

describe.each(kernels)('%s: vfio_unregister_group_dev', (_version, boot) => {
  type Unregister = (config: PciDeviceConfig) => void;

  test('ignores a device VFIO does not have, or one already unbound: no node goes, no reference is dropped twice', () => {
    const kernel = boot();
    const unregister = kernel.symbolGet<Unregister>('vfio_unregister_group_dev');
    if (unregister === null) throw new Error('vfio exports no vfio_unregister_group_dev');
    unregister({ address: '0000:09:00.0', iommuGroup: 99, coherent: true });
    // A group VFIO has, and an address none of its devices has.
    unregister({ address: '0000:09:00.0', iommuGroup: 26, coherent: true });
    expect(kernel.devicePaths()).toEqual(['/dev/vfio/26', '/dev/vfio/27', '/dev/vfio/vfio']);
    const [first] = defaultDevices as [PciDeviceConfig];
    unregister(first);
    unregister(first);
    expect(kernel.devicePaths()).toEqual(['/dev/vfio/27', '/dev/vfio/vfio']);
    kernel.symbolPut('vfio_unregister_group_dev');
    expect(kernel.deleteModule('vfio_pci')).toBe(0);
    expect(kernel.violations).toEqual([]);
  });
});

test('v6.6: a group re-created by a rebind while the old one is still open stays findable when the old one is freed', () => {
  const kernel = v66Kernel();
  const p = kernel.spawn('qemu');
  const old = ok(p.open('/dev/vfio/26'), 'open group 26');
  expect(kernel.deleteModule('vfio_pci')).toBe(0);
  ok(kernel.modprobe('vfio_pci'), 'modprobe vfio_pci again');
  // The old group is removed; the rebind made a new one under the same id.
  ok(p.close(old), 'close the old group');
  const again = p.open('/dev/vfio/26');
  expect(again).toBeGreaterThanOrEqual(0);
  expect(groupOf(kernel, 26).removed).toBe(false);
});

test('v5.17: closing a group fd that never joined a container leaves its container users at 0', () => {
  const kernel = vfioKernel();
  const p = kernel.spawn('qemu');
  ok(p.close(ok(p.open('/dev/vfio/26'), 'open')), 'close');
  expect(groupOf(kernel, 26).containerUsers).toBe(0);
  // And it can join one as its first container user.
  const a = attach(kernel, [26]);
  expect(groupOf(kernel, 26).containerUsers).toBe(1);
  expect(a.groups.size).toBe(1);
});

test('vfio_register_group_dev and vfio_unregister_group_dev are EXPORT_SYMBOL_GPL: symbol_get finds them (it takes GPL exports only, Linux 6.6)', () => {
  const kernel = vfioKernel();
  for (const name of ['vfio_register_group_dev', 'vfio_unregister_group_dev']) {
    expect([name, typeof kernel.symbolGet(name)]).toEqual([name, 'function']);
    kernel.symbolPut(name);
  }
});
