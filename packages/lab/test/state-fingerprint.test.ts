import {
  boot,
  checkpointSystem,
  groupAttr,
  KVM,
  qemuFixture,
  StateFingerprint,
  systemFingerprint,
} from '../src/index.js';
import { TestStrategy } from './strategies';

class Node {
  count = 0;
  next: Node | null = null;
}

const graph = (count: number, names: readonly string[]) => {
  const head = new Node();
  head.count = count;
  head.next = new Node();
  const holes: (number | undefined)[] = [1];
  holes[2] = 3;
  return { head, byName: new Map(names.map((name) => [name, head.next])), holes };
};

const plain = (): StateFingerprint => new StateFingerprint([], new Set());

test('equal graphs made separately get one fingerprint; any value, entry order or hole changes it', () => {
  const fingerprint = plain();
  const base = fingerprint.of([graph(1, ['a', 'b'])]);
  expect(base).toBeDefined();
  expect(fingerprint.of([graph(1, ['a', 'b'])])).toBe(base);
  expect(fingerprint.of([graph(2, ['a', 'b'])])).not.toBe(base);
  expect(fingerprint.of([graph(1, ['b', 'a'])])).not.toBe(base);
  const filled = graph(1, ['a', 'b']);
  filled.holes[1] = undefined;
  expect(fingerprint.of([filled])).not.toBe(base);
});

test('sharing is part of the shape: one object reached twice differs from two equal objects', () => {
  const fingerprint = plain();
  const one = new Node();
  expect(fingerprint.of([{ a: one, b: one }])).not.toBe(fingerprint.of([{ a: new Node(), b: new Node() }]));
});

test('a stable object is named by identity: an equal copy in its place is another state', () => {
  const kept = new Node();
  const fingerprint = new StateFingerprint([kept], new Set());
  const root = { node: kept };
  const before = fingerprint.of([root]);
  expect(fingerprint.of([{ node: kept }])).toBe(before);
  expect(fingerprint.of([{ node: new Node() }])).not.toBe(before);
});

test('functions are leaves named by identity: a closure made since matches no other', () => {
  const fingerprint = plain();
  const shared = (): number => 1;
  expect(fingerprint.of([{ run: shared }])).toBe(fingerprint.of([{ run: shared }]));
  expect(fingerprint.of([{ run: () => 1 }])).not.toBe(fingerprint.of([{ run: () => 1 }]));
});

test('stops and excluded objects are not entered; an alias stands for what it names', () => {
  const statistics = { calls: 0 };
  const explorer = { steps: 0 };
  const fingerprint = new StateFingerprint([], new Set([statistics]));
  const root = { statistics, explorer, continuation: { captured: 1 } };
  const aliases = new Map([[root.continuation, 'reached the same way']]);
  const before = fingerprint.of([root], [explorer], aliases);
  statistics.calls++;
  explorer.steps++;
  root.continuation.captured = 2;
  expect(fingerprint.of([root], [explorer], aliases)).toBe(before);
  expect(fingerprint.of([root], [explorer], new Map([[root.continuation, 'another way']]))).not.toBe(before);
});

test('state it cannot read gives no fingerprint', () => {
  const fingerprint = plain();
  expect(fingerprint.of([{ cache: new WeakMap() }])).toBeUndefined();
  expect(fingerprint.of([{ [Symbol('tag')]: 1 }])).toBeUndefined();
});

test("a system put back from its checkpoint has the set-up state's fingerprint; a syscall changes it, counters do not", () => {
  const sys = boot({ strategy: new TestStrategy() });
  const qemu = qemuFixture(sys);
  const checkpoint = checkpointSystem(sys, [qemu]);
  const fingerprint = systemFingerprint(sys, checkpoint);
  const setUp = fingerprint.of([sys, qemu]);
  expect(setUp).toBeDefined();

  sys.kernel.counters.symbolLookups += 5;
  expect(fingerprint.of([sys, qemu])).toBe(setUp);
  // What every boot shares (the strategy instance) is neither walked nor put back.
  const strategy = sys.strategy as unknown as { probe?: number };
  strategy.probe = 1;
  expect(fingerprint.of([sys, qemu])).toBe(setUp);
  const add = groupAttr(qemu.qemu, KVM.DEV_VFIO_GROUP_ADD, qemu.groups.get(26) ?? -1);
  expect(qemu.qemu.ioctl(qemu.device, KVM.SET_DEVICE_ATTR, add)).toBe(0);
  const added = fingerprint.of([sys, qemu]);
  expect(added).not.toBe(setUp);
  checkpoint.restore();
  expect(fingerprint.of([sys, qemu])).toBe(setUp);
  expect(strategy.probe).toBe(1);
});

test('every kind of value is told apart: numbers (whole or not), booleans, undefined and null, bigints, symbols', () => {
  const fingerprint = plain();
  const values = [
    ...[1, 1.25, 1.75, 2 ** 40, 1 + 2 ** -40, 1 + 2 ** -41],
    ...[true, false, 'true', undefined, null, 1n, 2n, Symbol('a'), Symbol('b')],
  ];
  const prints = values.map((value) => fingerprint.of([{ value }]));
  expect(new Set(prints).size).toBe(values.length);
  expect(fingerprint.of([{ value: 0.1 + 0.2 }])).toBe(fingerprint.of([{ value: 0.30000000000000004 }]));
  expect(fingerprint.of([[undefined, 1]])).not.toBe(fingerprint.of([[1, undefined]]));
});

class Left {
  x = 1;
}
class Right {
  x = 1;
}

test("an object's prototype is part of its state: equal fields of two classes, or of no class, differ", () => {
  const fingerprint = plain();
  const bare = Object.assign(Object.create(null) as object, { x: 1 });
  const prints = [new Left(), new Right(), { x: 1 }, bare].map((object) => fingerprint.of([object]));
  expect(new Set(prints).size).toBe(4);
  expect(prints).not.toContain(undefined);
});

test('Map entries, Set members and typed array elements are read: any change is another state', () => {
  const fingerprint = plain();
  const state = (members: number[]) => ({
    map: new Map(members.map((member) => [member, String(member)])),
    set: new Set(members),
    typed: Int32Array.from(members),
  });
  const base = fingerprint.of([state([1, 2])]);
  expect(fingerprint.of([state([1, 2])])).toBe(base);
  const changed = state([1, 2]);
  changed.map.set(2, 'two');
  expect(fingerprint.of([changed])).not.toBe(base);
  const member = state([1, 2]);
  member.set.delete(2);
  member.set.add(3);
  expect(fingerprint.of([member])).not.toBe(base);
  const element = state([1, 2]);
  element.typed[1] = 3;
  expect(fingerprint.of([element])).not.toBe(base);
});

test('a property only a plain walk would miss gives no fingerprint on an object made since; inherited ones are not its own', () => {
  const fingerprint = plain();
  const tagged = <T extends object>(object: T): T => Object.assign(object, { [Symbol('tag')]: 1 });
  expect(fingerprint.of([tagged(new Map())])).toBeUndefined();
  expect(fingerprint.of([tagged(new Set())])).toBeUndefined();
  expect(fingerprint.of([Object.assign([1, 2], { extra: 3 })])).toBeUndefined();
  const heir = Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 });
  expect(fingerprint.of([heir])).toBeDefined();
});

test('an object the checkpoint recorded is not checked again for such properties: the checkpoint refused them when it recorded it', () => {
  const recorded = [new Map(), new Set(), [1], new Node()];
  const fingerprint = new StateFingerprint(recorded, new Set());
  for (const object of recorded) Object.assign(object, { [Symbol('tag')]: 1 });
  expect(fingerprint.of([recorded])).toBeDefined();
});
