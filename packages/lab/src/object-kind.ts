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

/** %TypedArray%, the constructor every typed array inherits from. */
const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new () => ArrayLike<number>;

const kinds = new Map<object | null, number>();

/** The kind of the objects of `prototype`, found once per prototype. */
export function kindOf(prototype: object | null): number {
  let kind = kinds.get(prototype);
  if (kind !== undefined) return kind;
  const probe = Object.create(prototype) as object;
  if (unreadable.some((type) => probe instanceof type)) kind = OPAQUE;
  else if (probe instanceof TypedArray) kind = TYPED;
  else if (probe instanceof Array) kind = ARRAY;
  else if (probe instanceof Map) kind = MAP;
  else if (probe instanceof Set) kind = SET;
  else kind = PLAIN;
  kinds.set(prototype, kind);
  return kind;
}

/** The name of the unreadable type an OPAQUE prototype's objects are, for an error message. */
export function unreadableType(prototype: object | null): string {
  const probe = Object.create(prototype) as object;
  return unreadable.find((type) => probe instanceof type)?.name ?? 'object';
}
