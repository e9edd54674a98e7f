/** Where the first value is placed, and how far apart values are: a typical x86-64 mmap area. */
const BASE = 0x7f00_0000_1000;
const STRIDE = 0x10;

/**
 * Just enough of a user address space for copy_from_user: values placed by `userInt32` and
 * `userString` get an address; reading any other address faults (-EFAULT).
 */
export class UserMemory {
  // Indexed by (address - BASE) / STRIDE: addresses are beyond the small-integer range, and a
  // Map keyed by them would hash a heap number on every get_user of the hot path.
  private readonly cells: (number | string)[] = [];

  place(value: number | string): number {
    const address = BASE + this.cells.length * STRIDE;
    this.cells.push(value);
    return address;
  }

  /** get_user of an int: undefined where the access would fault. */
  readInt32(address: number): number | undefined {
    const value = this.cell(address);
    return typeof value === 'number' ? value : undefined;
  }

  /** strncpy_from_user: undefined where the access would fault. */
  readString(address: number): string | undefined {
    const value = this.cell(address);
    return typeof value === 'string' ? value : undefined;
  }

  private cell(address: number): number | string | undefined {
    const index = (address - BASE) / STRIDE;
    // Only the exact addresses handed out: anything between them, before or after faults (an
    // index that is fractional, negative or past the end reads undefined).
    return this.cells[index];
  }
}
