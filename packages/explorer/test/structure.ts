/**
 * Where two object graphs differ, or undefined when they are the same shape holding the same
 * values: an isomorphism check for the setup snapshot's tests. The same object on both sides is
 * shared (the lockdep graph, the strategy, the images) and equal; otherwise two objects must have
 * the same prototype and the same own keys in the same order (elements with the same holes,
 * Map and Set entries in the same order) with isomorphic values, and an object met again must
 * pair with the same partner. Two different functions must have the same code (a closure made
 * per boot); what they capture is compared through the properties that also reach it.
 */
export function structuralDifference(a: unknown, b: unknown, path = 'world'): string | undefined {
  return compare(a, b, path, new Map());
}

function compare(a: unknown, b: unknown, path: string, pairs: Map<object, unknown>): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a === 'function' && typeof b === 'function') {
    return a.toString() === b.toString() ? undefined : `${path}: different functions`;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path}: ${String(a)} vs ${String(b)}`;
  }
  const partner = pairs.get(a);
  if (partner !== undefined) return partner === b ? undefined : `${path}: shared differently`;
  pairs.set(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different prototypes`;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return `${path}: ${a.size} vs ${b.size} entries`;
    const left = [...a];
    const right = [...b];
    for (let i = 0; i < left.length; i++) {
      const [ka, va] = left[i] as [unknown, unknown];
      const [kb, vb] = right[i] as [unknown, unknown];
      const found =
        compare(ka, kb, `${path}.key(${i})`, pairs) ?? compare(va, vb, `${path}.get(${String(ka)})`, pairs);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return `${path}: ${a.size} vs ${b.size} members`;
    const left = [...a];
    const right = [...b];
    for (let i = 0; i < left.length; i++) {
      const found = compare(left[i], right[i], `${path}.member(${i})`, pairs);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in b) return `${path}[${i}]: a hole on one side only`;
      const found = compare(a[i], b[i], `${path}[${i}]`, pairs);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b);
  if (keysA.map(String).join() !== keysB.map(String).join()) {
    return `${path}: keys ${keysA.map(String).join()} vs ${keysB.map(String).join()}`;
  }
  for (const key of keysA) {
    const found = compare(
      (a as Record<PropertyKey, unknown>)[key],
      (b as Record<PropertyKey, unknown>)[key],
      `${path}.${String(key)}`,
      pairs,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}
