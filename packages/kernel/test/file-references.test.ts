import { errno, File, Kernel, type FileOperations } from '@coupling-lab/kernel';
import { driverImage, kernelWith, recordPoints, summary, testImage } from './helpers';

/** drv owning /dev/drv, whose release and flush are logged with the file's path. */
function loggingDriver(log: string[], options = {}): Kernel {
  const kernel = kernelWith(
    [
      driverImage('drv', '/dev/drv', {
        flush: (file) => {
          log.push(`flush ${file.path}`);
        },
        release: (file) => {
          log.push(`release ${file.path}`);
        },
      }),
    ],
    options,
  );
  expect(kernel.insmod('drv')).toBe(0);
  return kernel;
}

test('an fput of a file whose last reference is gone is a use-after-free and an underflow, and releases nothing twice', () => {
  const log: string[] = [];
  const kernel = loggingDriver(log, { onViolation: 'record' });
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  const file = p.fds.get(fd);
  if (file === undefined) throw new Error('no file at fd 3');
  expect(p.close(fd)).toBe(0);
  expect(log).toEqual(['flush /dev/drv', 'release /dev/drv']);
  // A driver that kept the pointer without a reference of its own drops it again, both ways.
  kernel.fput(file);
  kernel.fputSync(file);
  expect(kernel.violations.map((violation) => violation.message)).toEqual([
    'use-after-free: access to freed file /dev/drv',
    'refcount-underflow: file /dev/drv: fput with no reference held',
    'use-after-free: access to freed file /dev/drv',
    'refcount-underflow: file /dev/drv: fput with no reference held',
  ]);
  expect(kernel.violations.map((violation) => violation.object)).toEqual([
    'file /dev/drv',
    'file /dev/drv',
    'file /dev/drv',
    'file /dev/drv',
  ]);
  expect(log).toEqual(['flush /dev/drv', 'release /dev/drv']);
  expect(summary(kernel, 'drv')?.refcount).toBe(0);
});

test('__fput_sync drops one reference; only the last one runs release, right there', () => {
  const log: string[] = [];
  const kernel = loggingDriver(log);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  const file = p.fds.get(fd);
  if (file === undefined) throw new Error('no file at fd 3');
  // Two more references, as a driver holding the file (fdget) would have.
  kernel.fget(file);
  kernel.fget(file);
  expect(p.close(fd)).toBe(0);
  expect([file.count, log]).toEqual([2, ['flush /dev/drv']]);
  const points = recordPoints(kernel);
  kernel.fputSync(file);
  expect([file.count, log]).toEqual([1, ['flush /dev/drv']]);
  kernel.fputSync(file);
  expect(log).toEqual(['flush /dev/drv', 'release /dev/drv']);
  expect(file.freed).toBe(true);
  expect(summary(kernel, 'drv')?.refcount).toBe(0);
  expect(points).toEqual(['file-put /dev/drv', 'file-put /dev/drv', 'module-put drv']);
});

test('on a kernel built with closeSync (Linux 6.6), close releases the last reference inside close: no task work is queued', () => {
  const closePoints = (options: { closeSync?: boolean }): string[] => {
    const kernel = loggingDriver([], options);
    const p = kernel.spawn('proc');
    const fd = p.open('/dev/drv');
    const points = recordPoints(kernel);
    expect(p.close(fd)).toBe(0);
    expect(summary(kernel, 'drv')?.refcount).toBe(0);
    return points;
  };
  expect(closePoints({ closeSync: true })).toEqual(['file-put /dev/drv', 'module-put drv']);
  expect(closePoints({})).toEqual(['file-put /dev/drv', 'task-work /dev/drv', 'module-put drv']);
  expect(new Kernel({ closeSync: true }).closeSync).toBe(true);
  expect(new Kernel().closeSync).toBe(false);
});

test('device nodes are listed sorted by path, whatever order they were created in', () => {
  const kernel = kernelWith([]);
  for (const path of ['/dev/vfio/vfio', '/dev/kvm', '/dev/vfio/26']) {
    kernel.registerChrdev(path, { name: 'fops', owner: null });
  }
  expect(kernel.devicePaths()).toEqual(['/dev/kvm', '/dev/vfio/26', '/dev/vfio/vfio']);
});

test('files are numbered per kernel in creation order, anonymous files included', () => {
  const ids = (): number[] => {
    const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
    expect(kernel.insmod('drv')).toBe(0);
    const p = kernel.spawn('proc');
    p.open('/dev/drv');
    kernel.anonFile('kvm-vm', { name: 'vm_fops', owner: null }, undefined);
    p.open('/dev/drv');
    kernel.anonFile('kvm-vcpu:0', { name: 'vcpu_fops', owner: null }, undefined);
    return kernel.openFiles().map((file) => file.id);
  };
  expect(ids()).toEqual([1, 2, 3, 4]);
  expect(ids()).toEqual([1, 2, 3, 4]);
  // Files made outside any kernel's VFS take ids of their own, in order too.
  const fops: FileOperations = { name: 'fops', owner: null };
  const first = new File('/x', fops);
  expect(new File('/y', fops).id).toBe(first.id + 1);
});

test('a file whose open callback failed is freed: a driver that kept a pointer to it touches freed memory', () => {
  let kept: File | undefined;
  const kernel = kernelWith(
    [
      driverImage('drv', '/dev/drv', {
        open: (file) => {
          kept = file;
          return -errno.EBUSY;
        },
      }),
    ],
    { onViolation: 'record' },
  );
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.spawn('proc').open('/dev/drv')).toBe(-errno.EBUSY);
  if (kept === undefined) throw new Error('open was not called');
  kernel.touch(kept);
  expect(kernel.violations.map((violation) => violation.message)).toEqual([
    'use-after-free: access to freed file /dev/drv',
  ]);
});

test('a file the kernel made for a process with no free fd is put back: -EMFILE, and its owner is unpinned', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const owner = kernel.findModule('drv') ?? null;
  const p = kernel.spawn('proc');
  // fds 3 to 1023 (RLIMIT_NOFILE 1024; 0-2 are stdio).
  for (let fd = 3; fd < 1024; fd++) expect(p.open('/dev/drv')).toBe(fd);
  expect(owner?.refcount).toBe(1021);
  const file = kernel.anonFile('kvm-vm', { name: 'vm_fops', owner }, undefined);
  expect(owner?.refcount).toBe(1022);
  expect(p.installFd(file as File)).toBe(-errno.EMFILE);
  expect(owner?.refcount).toBe(1021);
  expect(file?.freed).toBe(true);
});

test('fds 0-2 (stdio) are not modelled: ioctl and close on them give -EBADF, as do negative and out-of-range fds', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv', { ioctl: () => 0 })]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  expect(p.ioctl(p.open('/dev/drv'), 1)).toBe(0);
  for (const fd of [0, 1, 2, -1, 1024, 4096]) {
    expect([fd, p.ioctl(fd, 1), p.close(fd)]).toEqual([fd, -errno.EBADF, -errno.EBADF]);
  }
  expect(p.fdget(0)).toBeUndefined();
});

test('exit closes fds in fd order, not in the order they were opened: a reused low fd is closed first', () => {
  const log: string[] = [];
  const flushing = (name: string) =>
    testImage(name, {
      init: ({ kernel, module }) => {
        kernel.registerChrdev(`/dev/${name}`, {
          name: `${name}_fops`,
          owner: module,
          flush: (file) => {
            log.push(file.path);
          },
        });
        return 0;
      },
    });
  const kernel = kernelWith(['a', 'b', 'c', 'd'].map(flushing));
  for (const name of ['a', 'b', 'c', 'd']) expect(kernel.insmod(name)).toBe(0);
  const p = kernel.spawn('proc');
  expect(['/dev/a', '/dev/b', '/dev/c'].map((path) => p.open(path))).toEqual([3, 4, 5]);
  expect(p.close(3)).toBe(0);
  expect(p.open('/dev/d')).toBe(3);
  log.length = 0;
  expect(p.exit()).toBe(0);
  expect(log).toEqual(['/dev/d', '/dev/b', '/dev/c']);
});

test('processes get pids 1, 2, ... in spawn order, and are listed as living until they exit', () => {
  const kernel = kernelWith([]);
  const first = kernel.spawn('qemu');
  const second = kernel.spawn('qemu');
  expect([first.pid, second.pid]).toEqual([1, 2]);
  expect(kernel.livingProcesses()).toEqual([first, second]);
  expect(first.exit()).toBe(0);
  expect(kernel.livingProcesses()).toEqual([second]);
});

test('user memory faults below the first address it handed out and between two addresses', () => {
  const p = kernelWith([]).spawn('proc');
  const first = p.userString('vfio-pci');
  const second = p.userInt32(26);
  const stride = second - first;
  expect(stride).toBeGreaterThan(1);
  for (const address of [first - stride, first - 1, first + 1, second + stride]) {
    expect([p.memory.readString(address), p.memory.readInt32(address)]).toEqual([undefined, undefined]);
  }
  expect([p.memory.readString(first), p.memory.readInt32(second)]).toEqual(['vfio-pci', 26]);
});
