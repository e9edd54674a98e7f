import { errno, type File, type IoctlArg } from '@coupling-lab/kernel';
import { driverImage, kernelWith, summary, testImage } from './helpers';

test('open pins the module that owns the device node until the file is closed', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  expect(fd).toBe(3);
  expect(summary(kernel, 'drv')).toEqual({ state: 'LIVE', refcount: 1, uses: [], usedBy: [] });
  expect(kernel.deleteModule('drv')).toBe(-errno.EWOULDBLOCK);
  expect(p.close(fd)).toBe(0);
  expect(summary(kernel, 'drv')?.refcount).toBe(0);
  expect(kernel.deleteModule('drv')).toBe(0);
  expect(kernel.devicePaths()).toEqual([]);
});

test('open of a path with no device node gives -ENOENT and uses no fd', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  expect(p.open('/dev/nosuch')).toBe(-errno.ENOENT);
  expect(p.fds.size).toBe(0);
  expect(p.open('/dev/drv')).toBe(3);
});

test('open of a node whose owner is GOING gives -ENODEV and pins nothing', () => {
  let nested: number | undefined;
  let refcountAfter: number | undefined;
  const kernel = kernelWith([
    testImage('drv', {
      init: ({ kernel: k, module }) => {
        k.registerChrdev('/dev/drv', { name: 'drv_fops', owner: module });
        return 0;
      },
      exit: ({ kernel: k, module }) => {
        nested = k.spawn('late').open('/dev/drv');
        refcountAfter = module.refcount;
        k.unregisterChrdev('/dev/drv');
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.deleteModule('drv')).toBe(0);
  expect(nested).toBe(-errno.ENODEV);
  expect(refcountAfter).toBe(0);
  expect(kernel.openFiles()).toEqual([]);
});

test('a node of a built-in driver (no owner) opens and pins nothing', () => {
  const kernel = kernelWith([]);
  kernel.registerChrdev('/dev/null', { name: 'null_fops', owner: null });
  const p = kernel.spawn('proc');
  expect(p.open('/dev/null')).toBe(3);
  expect(kernel.counters.moduleGets).toBe(0);
});

test('an open callback that fails returns its error, does not call release and unpins the owner', () => {
  let released = false;
  const kernel = kernelWith([
    driverImage('drv', '/dev/drv', {
      open: () => -errno.EBUSY,
      release: () => {
        released = true;
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  expect(p.open('/dev/drv')).toBe(-errno.EBUSY);
  expect(released).toBe(false);
  expect(p.fds.size).toBe(0);
  expect(kernel.openFiles()).toEqual([]);
  expect(summary(kernel, 'drv')?.refcount).toBe(0);
});

test('the open callback sees the process that opens', () => {
  let opener: string | undefined;
  const kernel = kernelWith([
    driverImage('drv', '/dev/drv', {
      open: (_file, current) => {
        opener = current.name;
        return 0;
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.spawn('qemu').open('/dev/drv')).toBe(3);
  expect(opener).toBe('qemu');
});

test('the last fput runs release while the owner is still pinned, then unpins it and frees the file', () => {
  const refcountAtRelease: number[] = [];
  const kernel = kernelWith([
    testImage('drv', {
      init: ({ kernel: k, module }) => {
        k.registerChrdev('/dev/drv', {
          name: 'drv_fops',
          owner: module,
          release: () => {
            refcountAtRelease.push(module.refcount);
          },
        });
        return 0;
      },
      exit: ({ kernel: k }) => k.unregisterChrdev('/dev/drv'),
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  const file = p.fds.get(fd) as File;
  kernel.fget(file);
  expect(p.close(fd)).toBe(0);
  expect(refcountAtRelease).toEqual([]);
  expect(file.count).toBe(1);
  expect(file.freed).toBe(false);
  kernel.fput(file);
  expect(refcountAtRelease).toEqual([1]);
  expect(file.freed).toBe(true);
  expect(summary(kernel, 'drv')?.refcount).toBe(0);
  expect(kernel.openFiles()).toEqual([]);
});

test('every close runs flush, even when another reference keeps the file open; release waits for the last fput', () => {
  const calls: string[] = [];
  const kernel = kernelWith([
    driverImage('drv', '/dev/drv', {
      flush: (file) => {
        calls.push(`flush count=${file.count}`);
      },
      release: () => {
        calls.push('release');
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  const file = p.fds.get(fd) as File;
  kernel.fget(file);
  expect(p.close(fd)).toBe(0);
  expect(calls).toEqual(['flush count=2']);
  kernel.fput(file);
  expect(calls).toEqual(['flush count=2', 'release']);
});

test('fds are allocated lowest first from 3, and a closed fd is reused', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  expect([p.open('/dev/drv'), p.open('/dev/drv'), p.open('/dev/drv')]).toEqual([3, 4, 5]);
  expect(p.close(4)).toBe(0);
  expect(p.open('/dev/drv')).toBe(4);
  expect([...p.fds.keys()].sort()).toEqual([3, 4, 5]);
  expect(summary(kernel, 'drv')?.refcount).toBe(3);
});

test('each process has its own fd table', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const a = kernel.spawn('a');
  const b = kernel.spawn('b');
  expect(a.open('/dev/drv')).toBe(3);
  expect(b.open('/dev/drv')).toBe(3);
  expect(a.close(3)).toBe(0);
  expect(b.fds.has(3)).toBe(true);
  expect(a.pid).not.toBe(b.pid);
});

test('a process runs out of fds at RLIMIT_NOFILE with -EMFILE', () => {
  const kernel = kernelWith([]);
  kernel.registerChrdev('/dev/null', { name: 'null_fops', owner: null });
  const p = kernel.spawn('proc');
  let last = 0;
  for (let i = 3; i < 1024; i++) last = p.open('/dev/null');
  expect(last).toBe(1023);
  expect(p.open('/dev/null')).toBe(-errno.EMFILE);
  expect(kernel.openFiles()).toHaveLength(1021);
});

test('close of an fd that is not open gives -EBADF, also the second close of one fd', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  expect(p.close(3)).toBe(-errno.EBADF);
  const fd = p.open('/dev/drv');
  expect(p.close(fd)).toBe(0);
  expect(p.close(fd)).toBe(-errno.EBADF);
});

test('ioctl on an fd that is not open gives -EBADF', () => {
  const kernel = kernelWith([]);
  expect(kernel.spawn('proc').ioctl(7, 0x1234)).toBe(-errno.EBADF);
});

test('ioctl on a file whose operations have no ioctl gives -ENOTTY', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  const fd = p.open('/dev/drv');
  expect(p.ioctl(fd, 0x1234)).toBe(-errno.ENOTTY);
  expect((p.fds.get(fd) as File).count).toBe(1);
});

test('ioctl passes request, argument and caller to the driver, returns its result and holds the file meanwhile', () => {
  const seen: { request: number; arg: IoctlArg; caller: string; count: number }[] = [];
  const kernel = kernelWith([
    driverImage('drv', '/dev/drv', {
      ioctl: (file, request, arg, current) => {
        seen.push({ request, arg, caller: current.name, count: file.count });
        return 42;
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('qemu');
  const fd = p.open('/dev/drv');
  expect(p.ioctl(fd, 0xae01, { type: 5 })).toBe(42);
  expect(seen).toEqual([{ request: 0xae01, arg: { type: 5 }, caller: 'qemu', count: 2 }]);
  expect((p.fds.get(fd) as File).count).toBe(1);
});

test('a driver error from ioctl is returned as it is', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv', { ioctl: () => -errno.EINVAL })]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  expect(p.ioctl(p.open('/dev/drv'), 1)).toBe(-errno.EINVAL);
});

test('user memory: an address handed out by userInt32 reads back its value; any other address faults', () => {
  const kernel = kernelWith([]);
  const p = kernel.spawn('proc');
  const address = p.userInt32(26);
  const text = p.userString('0000:01:00.0');
  expect(p.memory.readInt32(address)).toBe(26);
  expect(p.memory.readString(text)).toBe('0000:01:00.0');
  expect(p.memory.readInt32(address + 4)).toBeUndefined();
  expect(p.memory.readInt32(0)).toBeUndefined();
  expect(p.memory.readInt32(text)).toBeUndefined();
  expect(p.memory.readString(address)).toBeUndefined();
});

test('userInt32 stores a 32-bit int, as copy_from_user of an int would read it', () => {
  const p = kernelWith([]).spawn('proc');
  expect(p.memory.readInt32(p.userInt32(2 ** 32 + 7))).toBe(7);
});

test('exit closes every fd, running each release and unpinning the owner', () => {
  const released: number[] = [];
  const kernel = kernelWith([
    driverImage('drv', '/dev/drv', {
      release: (file) => {
        released.push(file.id);
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  const p = kernel.spawn('proc');
  p.open('/dev/drv');
  p.open('/dev/drv');
  expect(p.exit()).toBe(0);
  expect(released).toHaveLength(2);
  expect(p.fds.size).toBe(0);
  expect(p.exited).toBe(true);
  expect(kernel.livingProcesses()).toEqual([]);
  expect(summary(kernel, 'drv')?.refcount).toBe(0);
});

test('an anonymous file pins its owner like an open, and its fd is installed in the process', () => {
  const kernel = kernelWith([driverImage('drv', '/dev/drv')]);
  expect(kernel.insmod('drv')).toBe(0);
  const owner = kernel.findModule('drv') ?? null;
  const file = kernel.anonFile('kvm-vm', { name: 'vm_fops', owner }, { id: 1 });
  expect(file?.path).toBe('anon_inode:kvm-vm');
  expect(file?.privateData).toEqual({ id: 1 });
  expect(owner?.refcount).toBe(1);
  const p = kernel.spawn('proc');
  const fd = p.installFd(file as File);
  expect(fd).toBe(3);
  expect(p.close(fd)).toBe(0);
  expect(owner?.refcount).toBe(0);
});

test('an anonymous file of a GOING owner is not created', () => {
  let created: File | undefined | null = null;
  const kernel = kernelWith([
    testImage('drv', {
      exit: ({ kernel: k, module }) => {
        created = k.anonFile('late', { name: 'late_fops', owner: module }, undefined);
      },
    }),
  ]);
  expect(kernel.insmod('drv')).toBe(0);
  expect(kernel.deleteModule('drv')).toBe(0);
  expect(created).toBeUndefined();
});

test('registering a device node twice is a programming error', () => {
  const kernel = kernelWith([]);
  kernel.registerChrdev('/dev/x', { name: 'x', owner: null });
  expect(() => kernel.registerChrdev('/dev/x', { name: 'x', owner: null })).toThrow('/dev/x');
});
