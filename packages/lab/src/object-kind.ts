/** How an object's state is read (and, for a checkpoint, put back): by its own properties, elements, entries or members. */
export const PLAIN = 0;
export const ARRAY = 1;
export const MAP = 2;
export const SET = 3;
export const TYPED = 4;
/** State that cannot be read back at all. */
export const OPAQUE = 5;

/** What neither a checkpoint nor a fingerprint can read: its contents are not reachable through properties. */
const unreadable: readonly (abstract new (...args: never[]) => object)[] = [
  WeakMap,
  WeakSet,
  WeakRef,
  Promise,
  Date,
  RegExp,
  ArrayBuffer,
  DataView,
];

const kinds = new Map<object | null, number>();

/**
 * The kind of `object`. Arrays and typed arrays are told by their internal slots (Array.isArray,
 * ArrayBuffer.isView), not by `instanceof`: under jest some of them come from another realm. The
 * rest is found once per prototype.
 */
export function kindOf(object: object): number {
  if (Array.isArray(object)) return ARRAY;
  if (ArrayBuffer.isView(object)) return 'BYTES_PER_ELEMENT' in object ? TYPED : OPAQUE;
  const prototype = Object.getPrototypeOf(object) as object | null;
  let kind = kinds.get(prototype);
  if (kind !== undefined) return kind;
  const probe = Object.create(prototype) as object;
  if (unreadable.some((type) => probe instanceof type)) kind = OPAQUE;
  else if (probe instanceof Map) kind = MAP;
  else if (probe instanceof Set) kind = SET;
  else kind = PLAIN;
  kinds.set(prototype, kind);
  return kind;
}

/** The name of the unreadable type an OPAQUE object is, for an error message (each has a constructor of its own). */
export function unreadableType(object: object): string {
  return object.constructor.name;
}
