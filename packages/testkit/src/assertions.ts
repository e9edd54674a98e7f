import assert from 'node:assert/strict';
import { type ErrnoName, errno, errnoName, type LinuxName, type System } from '@coupling-lab/lab';

/** A syscall result as a person reads it: `-EINVAL`, or the number itself. */
export function describeResult(result: number): string {
  if (result >= 0) return String(result);
  const name = errnoName(result);
  return name === undefined ? String(result) : `-${name}`;
}

/** Asserts `result` is exactly `expected` (a value such as 0 or a flag set) or `-errno[expected]` (an errno name). */
export function expectResult(result: number, expected: ErrnoName | number, what: string): void {
  const wanted = typeof expected === 'number' ? expected : -errno[expected];
  assert.equal(result, wanted, `${what}: expected ${describeResult(wanted)}, got ${describeResult(result)}`);
}

/** Asserts a call that creates something (an fd) succeeded, and returns its result. */
export function expectOk(result: number, what: string): number {
  assert.ok(result >= 0, `${what}: expected success, got ${describeResult(result)}`);
  return result;
}

/** Everything a refused syscall must leave alone: inspect() and every living process's fd table. */
function observableState(sys: System): unknown {
  return {
    inspect: sys.inspect(),
    openFiles: sys.kernel.openFiles().length,
    fds: sys.kernel.livingProcesses().map((process) => [...process.fds.keys()].sort((a, b) => a - b)),
  };
}

/**
 * Asserts that `call` fails with `-errno[expected]` and changes nothing observable: a refused
 * syscall in Linux undoes whatever it did before failing (no reference, fd or object left behind).
 */
export function expectRefused(sys: System, what: string, expected: ErrnoName, call: () => number): void {
  const before = observableState(sys);
  expectResult(call(), expected, what);
  assert.deepEqual(
    observableState(sys),
    before,
    `${what}: refused with -${expected} but changed the system's state`,
  );
}

/** The slice of inspect() SPEC 8 says every strategy agrees on: the VMs and each group's VM. */
export function agreedState(sys: System): { vms: unknown; groupKvm: { id: number; kvm: number | null }[] } {
  const snapshot = sys.inspect();
  return { vms: snapshot.vms, groupKvm: snapshot.groups.map((group) => ({ id: group.id, kvm: group.kvm })) };
}

/**
 * What the booted kernel gives where kernels differ: each kernel's expectation, written once, with
 * the Linux function that decides it in a comment beside it.
 */
export function onKernel<T>(sys: System, byKernel: Readonly<Record<LinuxName, T>>): T {
  return byKernel[sys.linux.name];
}
