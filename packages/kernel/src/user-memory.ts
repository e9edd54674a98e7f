/**
 * Just enough of a user address space for copy_from_user: values placed by `userInt32` and
 * `userString` get an address; reading any other address faults (-EFAULT).
 */
export class UserMemory {
  private readonly cells = new Map<number, number | string>();
  private nextAddress = 0x7f00_0000_1000;

  place(value: number | string): number {
    const address = this.nextAddress;
    this.nextAddress += 0x10;
    this.cells.set(address, value);
    return address;
  }

  /** get_user of an int: undefined where the access would fault. */
  readInt32(address: number): number | undefined {
    const value = this.cells.get(address);
    return typeof value === 'number' ? value : undefined;
  }

  /** strncpy_from_user: undefined where the access would fault. */
  readString(address: number): string | undefined {
    const value = this.cells.get(address);
    return typeof value === 'string' ? value : undefined;
  }
}
