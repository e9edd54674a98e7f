/** Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h). Syscalls return `-errno.X`. */
export const errno = {
  EPERM: 1,
  ENOENT: 2,
  /** No such process: the model's answer to a syscall from a process that has exited. */
  ESRCH: 3,
  EINTR: 4,
  /** Exec format error: init_module of a module exporting a symbol another module already exports. */
  ENOEXEC: 8,
  EBADF: 9,
  /** EWOULDBLOCK and EAGAIN are one value; the module calls speak of EWOULDBLOCK, so it is named first. */
  EWOULDBLOCK: 11,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  EMFILE: 24,
  ENOTTY: 25,
  ENOSPC: 28,
  /** File descriptor in bad state: v6.6 VFIO_GROUP_SET_CONTAINER with an fd that is neither a container nor an iommufd. */
  EBADFD: 77,
  ENXIO: 6,
  /**
   * Operation now in progress: the model's plain API never blocks, so a syscall that sleeps returns
   * this and finishes when it is woken (the explorer runs it as a sleeping thread instead).
   */
  EINPROGRESS: 115,
} as const;

export type ErrnoName = keyof typeof errno;

/** The name of a (positive or negative) errno value, e.g. `errnoName(-16) === 'EBUSY'`. */
export function errnoName(value: number): ErrnoName | undefined {
  const wanted = Math.abs(value);
  const names = Object.keys(errno) as ErrnoName[];
  return names.find((name) => errno[name] === wanted);
}
