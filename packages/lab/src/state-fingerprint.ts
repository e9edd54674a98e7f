import { ARRAY, kindOf, MAP, OPAQUE, SET, TYPED } from './object-kind.js';

/** Per-identity numbers for what a fingerprint names by identity (functions, stops, prototypes): stable for the process. */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return id;
}

const float = new Float64Array(1);
const floatWords = new Uint32Array(float.buffer);

/** Every string met, numbered: a string is mixed in as its number, exactly (no string hashing per walk). */
const strings = new Map<string, number>();

function stringId(text: string): number {
  let id = strings.get(text);
  if (id === undefined) {
    id = strings.size + 1;
    strings.set(text, id);
  }
  return id;
}

/**
 * A 64-bit fingerprint of the state of an object graph, for state caching (the explorer's
 * state-cache.ts): two graphs get the same fingerprint only if they hold the same values in the
 * same shape, up to a hash collision (two independent 32-bit lanes, as TLC's fingerprints).
 *
 * - Objects in `stable` (a checkpoint's: everything the boot made, put back in place for every
 *   schedule) are named by identity as well as walked, so a closure that captured one sees the
 *   same object in both graphs.
 * - Any other object (made since) is named by the order it is first reached in, breadth first,
 *   so that the same objects made in another order of allocation still compare equal.
 * - Functions and the objects in `stops` (what every boot shares) are leaves named by identity: a
 *   closure made since the checkpoint differs from every other, so a graph holding one matches
 *   no other graph. That is what keeps the fingerprint conservative: state hidden in a closure
 *   can only make two equal graphs look different.
 * - The objects the caller excludes (its own, which the graph points at while it runs) are
 *   leaves that all look alike: another run has other objects of its own in their place.
 * - `aliases` name objects the caller can vouch for by a key of its own (the explorer names a
 *   sleeping task's continuation by how it was reached), instead of walking them.
 *
 * A graph holding something whose contents cannot be read (a WeakMap, a symbol-keyed property
 * on an object made since the checkpoint, whose objects the checkpoint checked) has no
 * fingerprint: `of` returns undefined.
 */
export class StateFingerprint {
  private readonly stable = new Map<object, number>();
  // A fresh Map per walk, not one cleared: a long-lived Map's new tables go to the old generation,
  // and each walk's objects would stay alive in the obsolete ones (see checkpoint.ts).
  private order = new Map<object, number>();
  private readonly queue: object[] = [];
  private exclude: readonly object[] = [];
  private aliases: ReadonlyMap<object, string> = new Map();
  private h1 = 0;
  private h2 = 0;

  constructor(
    stable: Iterable<object>,
    private readonly stops: ReadonlySet<object>,
  ) {
    let id = 0;
    for (const object of stable) this.stable.set(object, ++id);
  }

  of(
    roots: readonly unknown[],
    exclude: readonly object[] = [],
    aliases: ReadonlyMap<object, string> = new Map(),
  ): string | undefined {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x9747b28c;
    this.exclude = exclude;
    this.aliases = aliases;
    this.order = new Map();
    const queue = this.queue;
    queue.length = 0;
    for (const root of roots) this.name(root);
    for (let i = 0; i < queue.length; i++) if (!this.contents(queue[i] as object)) return undefined;
    return `${(this.h1 >>> 0).toString(36)}.${(this.h2 >>> 0).toString(36)}.${queue.length}`;
  }

  private name(value: unknown): void {
    switch (typeof value) {
      case 'number':
        if ((value | 0) === value) {
          this.mix(1);
          this.mix(value);
        } else {
          float[0] = value;
          this.mix(2);
          this.mix(floatWords[0] ?? 0);
          this.mix(floatWords[1] ?? 0);
        }
        return;
      case 'string':
        this.mix(3);
        this.mix(stringId(value));
        return;
      case 'boolean':
        this.mix(value ? 4 : 5);
        return;
      case 'undefined':
        this.mix(6);
        return;
      case 'bigint':
      case 'symbol':
        this.mix(7);
        this.mix(stringId(value.toString()));
        return;
      case 'function':
        this.mix(this.exclude.includes(value) ? 14 : 8);
        this.mix(this.exclude.includes(value) ? 0 : identityOf(value));
        return;
      case 'object': {
        if (value === null) {
          this.mix(9);
          return;
        }
        let id = this.order.get(value);
        if (id === undefined) {
          if (this.stops.has(value)) {
            this.mix(10);
            this.mix(identityOf(value));
            return;
          }
          // The caller's own objects (the explorer's tracer, hook and lockdep graph): another run has others in their place.
          if (this.exclude.includes(value)) {
            this.mix(14);
            return;
          }
          const alias = this.aliases.get(value);
          if (alias !== undefined) {
            this.mix(11);
            this.mix(stringId(alias));
            return;
          }
          id = this.order.size;
          this.order.set(value, id);
          this.queue.push(value);
        }
        this.mix(12);
        this.mix(id);
      }
    }
  }

  /** Mixes in what `object` holds; false if it cannot be read. */
  private contents(object: object): boolean {
    const prototype = Object.getPrototypeOf(object) as object | null;
    const stable = this.stable.get(object);
    this.mix(stable ?? 0);
    this.mix(prototype === null ? 0 : identityOf(prototype));
    switch (kindOf(object)) {
      case ARRAY: {
        const array = object as unknown[];
        this.mix(array.length);
        let holes = 0;
        for (let j = 0; j < array.length; j++) {
          if (j in array) this.name(array[j]);
          else {
            this.mix(13);
            holes++;
          }
        }
        return stable !== undefined || Object.keys(array).length === array.length - holes;
      }
      case MAP:
        this.mix((object as Map<unknown, unknown>).size);
        for (const [key, value] of object as Map<unknown, unknown>) {
          this.name(key);
          this.name(value);
        }
        return stable !== undefined || Reflect.ownKeys(object).length === 0;
      case SET:
        this.mix((object as Set<unknown>).size);
        for (const member of object as Set<unknown>) this.name(member);
        return stable !== undefined || Reflect.ownKeys(object).length === 0;
      case TYPED: {
        const elements = object as unknown as ArrayLike<number>;
        this.mix(elements.length);
        for (let j = 0; j < elements.length; j++) this.name(elements[j]);
        return true;
      }
      case OPAQUE:
        return false;
      default: {
        const record = object as Record<string, unknown>;
        let count = 0;
        for (const key in record) {
          if (!Object.hasOwn(record, key)) continue;
          this.mix(stringId(key));
          this.name(record[key]);
          count++;
        }
        this.mix(count);
        return stable !== undefined || Reflect.ownKeys(object).length === count;
      }
    }
  }

  private mix(word: number): void {
    this.h1 = Math.imul(this.h1 ^ word, 0x01000193);
    this.h1 ^= this.h1 >>> 13;
    this.h2 = Math.imul(this.h2 ^ word, 0x5bd1e995);
    this.h2 ^= this.h2 >>> 15;
  }
}
