import { ARRAY, kindOf, MAP, OPAQUE, PLAIN, SET, TYPED, unreadableType } from './object-kind.js';

/**
 * An object graph that cannot be checkpointed soundly: it holds something whose contents cannot
 * be read back (a WeakMap, a Promise), or a property a plain assignment cannot put back.
 */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/**
 * Every object of a graph as it was at one moment, put back in place on `restore`: each object
 * gets back exactly the own properties (or elements, or entries) it had (an object with
 * properties is sealed when recorded, so none can be added or deleted), so everything that
 * points at it (a module's closures, an ops table, another object) sees the checkpointed state
 * again, and what was made after the checkpoint drops out of the graph. Objects in `shared` are
 * neither recorded nor entered (the explorer's lockdep graph, the strategy, its module images:
 * what every boot shares anyway). Functions are leaves: their code is shared, and what their
 * closures capture must also be reachable through properties for the checkpoint to be sound
 * (the explorer's snapshot test checks that against a fresh boot, closures included).
 */
export class Checkpoint {
  private readonly objects: object[] = [];
  private readonly kinds: number[] = [];
  private readonly restorers: (Restorer | null)[] = [];
  private readonly values: unknown[][] = [];

  private constructor() {}

  /** Records every object reachable from `roots` through properties, elements and Map/Set entries. */
  static take(roots: readonly unknown[], shared: ReadonlySet<object> = new Set()): Checkpoint {
    const checkpoint = new Checkpoint();
    const seen = new Set<object>();
    const stack: unknown[] = [...roots];
    while (stack.length > 0) {
      const value = stack.pop();
      if (typeof value !== 'object' || value === null || seen.has(value) || shared.has(value)) continue;
      seen.add(value);
      checkpoint.record(value, stack);
    }
    return checkpoint;
  }

  /** Objects recorded. */
  get size(): number {
    return this.objects.length;
  }

  /** The recorded objects: the ones `restore` puts back in place (a frozen object is entered but not recorded). */
  get recorded(): readonly object[] {
    return this.objects;
  }

  /** Whether `object` is one of the recorded objects. */
  covers(object: object): boolean {
    return this.objects.includes(object);
  }

  /**
   * From now on, `restore` puts `to` wherever the checkpoint had `from` (a shared object, such as
   * the kernel's lockdep graph, swapped for another one a fresh boot would have been given).
   */
  replace(from: object, to: object): void {
    for (const saved of this.values) {
      for (let j = 0; j < saved.length; j++) if (saved[j] === from) saved[j] = to;
    }
  }

  /** Puts every recorded object back as it was when the checkpoint was taken. */
  restore(): void {
    const { objects, kinds, restorers, values } = this;
    for (let i = 0; i < objects.length; i++) {
      const object = objects[i] as object;
      const saved = values[i] as unknown[];
      switch (kinds[i]) {
        case PLAIN:
          (restorers[i] as Restorer)(object, saved);
          break;
        case ARRAY:
          restoreElements(object as unknown[], saved);
          break;
        case MAP:
          restoreEntries(object as Map<unknown, unknown>, saved);
          break;
        case SET:
          restoreMembers(object as Set<unknown>, saved);
          break;
        case TYPED:
          (object as TypedArray).set(saved as number[]);
          break;
      }
    }
  }

  private record(object: object, stack: unknown[]): void {
    const prototype = Object.getPrototypeOf(object) as object | null;
    const kind = prototype === Object.prototype ? PLAIN : kindOf(object);
    if (kind === OPAQUE) {
      throw new CheckpointError(
        `cannot checkpoint a ${unreadableType(object)}: its state cannot be read back`,
      );
    }
    if (kind === TYPED) {
      this.push(object, TYPED, null, Array.from(object as TypedArray));
      return;
    }
    if (kind === ARRAY) {
      const elements = (object as unknown[]).slice();
      if (Object.keys(object).length !== elements.filter(() => true).length) {
        throw new CheckpointError('cannot checkpoint an array with properties of its own');
      }
      this.push(object, ARRAY, null, elements);
      for (let j = 0; j < elements.length; j++) stack.push(elements[j]);
      return;
    }
    if (kind === MAP || kind === SET) {
      if (Reflect.ownKeys(object).length > 0)
        throw new CheckpointError('cannot checkpoint a Map or Set with own properties');
      const saved: unknown[] = [];
      if (kind === MAP) for (const [key, value] of object as Map<unknown, unknown>) saved.push(key, value);
      else for (const member of object as Set<unknown>) saved.push(member);
      this.push(object, kind, null, saved);
      for (let j = 0; j < saved.length; j++) stack.push(saved[j]);
      return;
    }
    const keys = Object.keys(object);
    if (Reflect.ownKeys(object).length !== keys.length) {
      throw new CheckpointError(
        `cannot checkpoint a ${prototype?.constructor?.name ?? 'null-prototype'} object with symbol or non-enumerable keys`,
      );
    }
    const record = object as Record<string, unknown>;
    const values: unknown[] = new Array(keys.length);
    for (let j = 0; j < keys.length; j++) {
      const value = record[keys[j] as string];
      values[j] = value;
      stack.push(value);
    }
    // A frozen object cannot change: nothing to put back (its values are still entered above).
    if (Object.isFrozen(object)) return;
    // restore writes back the recorded keys only: a key added or deleted later would outlive it
    // unseen. Sealed, such a write throws a TypeError (in strict code: TypeScript's output, ESM)
    // where it happens, instead of leaking into every later schedule.
    Object.seal(object);
    this.push(object, PLAIN, restorerFor(prototype, keys), values);
  }

  private push(object: object, kind: number, restorer: Restorer | null, values: unknown[]): void {
    this.objects.push(object);
    this.kinds.push(kind);
    this.restorers.push(restorer);
    this.values.push(values);
  }
}

/** Puts back the values of a sealed object's properties, in the order its keys were recorded. */
type Restorer = (object: object, values: readonly unknown[]) => void;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Restorers by prototype and key list: one small function per shape, shared by every checkpoint. */
const restorers = new Map<
  object | null,
  { readonly keys: readonly string[]; readonly restorer: Restorer }[]
>();

/**
 * The restorer for objects of `object`'s prototype with these keys: a function written out for
 * the shape (`if (o.count !== v[0]) o.count = v[0]; ...`), so that each property access is one
 * monomorphic inline cache rather than a generic keyed lookup (a restore writes a few hundred of
 * them per schedule); keys that are not identifiers get a generic loop.
 */
function restorerFor(prototype: object | null, keys: readonly string[]): Restorer {
  let shapes = restorers.get(prototype);
  if (shapes === undefined) {
    shapes = [];
    restorers.set(prototype, shapes);
  }
  for (const shape of shapes) if (sameKeys(shape.keys, keys)) return shape.restorer;
  let restorer: Restorer;
  if (keys.every((key) => IDENTIFIER.test(key))) {
    const body = keys.map((key, j) => `if (o.${key} !== v[${j}]) o.${key} = v[${j}];`).join('\n');
    restorer = new Function('o', 'v', `'use strict';\n${body}`) as Restorer;
  } else {
    restorer = (target, values) => {
      const record = target as Record<string, unknown>;
      for (let j = 0; j < keys.length; j++) {
        const key = keys[j] as string;
        if (record[key] !== values[j]) record[key] = values[j];
      }
    };
  }
  shapes.push({ keys, restorer });
  return restorer;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** The checkpointed elements, holes included. */
function restoreElements(array: unknown[], saved: readonly unknown[]): void {
  if (sameElements(array, saved)) return;
  if (array.length > saved.length) array.length = saved.length;
  let holes = false;
  for (let j = 0; j < saved.length; j++) {
    if (j in saved) array[j] = saved[j];
    else holes = true;
  }
  if (holes) {
    // Rare (an fd table): rebuild, so that a hole stays a hole.
    array.length = 0;
    for (let j = 0; j < saved.length; j++) if (j in saved) array[j] = saved[j];
  }
  if (array.length !== saved.length) array.length = saved.length;
}

/** Whether `array` holds `saved`'s elements (holes where it has holes): most are untouched. */
function sameElements(array: readonly unknown[], saved: readonly unknown[]): boolean {
  if (array.length !== saved.length) return false;
  for (let j = 0; j < saved.length; j++) {
    const value = saved[j];
    if (array[j] !== value || (value === undefined && j in array !== j in saved)) return false;
  }
  return true;
}

// Maps and Sets are put back in place, keeping the entries they share with the checkpoint from
// the front, rather than cleared and rebuilt: every `clear()` (and every resize) gives V8's
// table a successor, allocated in the old generation once the table is there
// (OrderedHashTable::Clear and Rehash in V8's ordered-hash-table.cc), and the obsolete table,
// dead but not collected until the next full collection, still points at what it held, which
// young collections then keep alive and promote. A world restored every schedule turned most of
// its garbage into old-generation garbage that way.

/** Puts back `saved`'s entries (key, value, key, value...) in that order. */
function restoreEntries(map: Map<unknown, unknown>, saved: readonly unknown[]): void {
  if (sameEntries(map, saved)) return;
  const kept = commonPrefix(map.keys(), saved, 2);
  let j = 0;
  for (const value of map.values()) {
    if (j >= kept) break;
    if (value !== saved[2 * j + 1]) map.set(saved[2 * j], saved[2 * j + 1]);
    j++;
  }
  dropFrom(map, kept);
  for (let k = 2 * kept; k < saved.length; k += 2) map.set(saved[k], saved[k + 1]);
}

/** Puts back `saved`'s members in that order. */
function restoreMembers(set: Set<unknown>, saved: readonly unknown[]): void {
  if (sameMembers(set, saved)) return;
  const kept = commonPrefix(set.values(), saved, 1);
  dropFrom(set, kept);
  for (let k = kept; k < saved.length; k++) set.add(saved[k]);
}

/** How many leading keys equal `saved`'s (every `stride`-th element from 0). */
function commonPrefix(keys: Iterator<unknown>, saved: readonly unknown[], stride: number): number {
  let kept = 0;
  for (let next = keys.next(); !next.done; next = keys.next()) {
    if (kept * stride >= saved.length || next.value !== saved[kept * stride]) break;
    kept++;
  }
  return kept;
}

/** Deletes every key after the first `kept` (deleting the current key does not end an iteration). */
function dropFrom(collection: Map<unknown, unknown> | Set<unknown>, kept: number): void {
  let position = 0;
  for (const key of collection.keys()) if (position++ >= kept) collection.delete(key);
}

/** Whether `map` holds `saved`'s entries (key, value, key, value...) in that order. */
function sameEntries(map: ReadonlyMap<unknown, unknown>, saved: readonly unknown[]): boolean {
  if (map.size * 2 !== saved.length) return false;
  // Keys, then values: two plain iterators cost less than one that builds an entry per step.
  let j = 0;
  for (const key of map.keys()) {
    if (key !== saved[j]) return false;
    j += 2;
  }
  j = 1;
  for (const value of map.values()) {
    if (value !== saved[j]) return false;
    j += 2;
  }
  return true;
}

/** Whether `set` holds `saved`'s members in that order. */
function sameMembers(set: ReadonlySet<unknown>, saved: readonly unknown[]): boolean {
  if (set.size !== saved.length) return false;
  let j = 0;
  for (const member of set) if (member !== saved[j++]) return false;
  return true;
}
