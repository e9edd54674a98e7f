import { Checkpoint, CheckpointError } from '../src/index.js';

class Counter {
  count = 0;
  owner: { name: string } | null = null;
}

test('restore puts back fields, elements (holes included), Map and Set entries in order, in place', () => {
  const counter = new Counter();
  const table: (Counter | undefined)[] = [];
  table[3] = counter;
  const byName = new Map<string, Counter>([['a', counter]]);
  const members = new Set<string>(['x', 'y']);
  const typed = new Int32Array([1, 2]);
  const root = { counter, table, byName, members, typed };
  const checkpoint = Checkpoint.take([root]);

  counter.count = 5;
  counter.owner = { name: 'made later' };
  table.push(new Counter());
  table[0] = counter;
  byName.delete('a');
  byName.set('b', new Counter());
  members.delete('x');
  members.add('x');
  typed[1] = 9;
  checkpoint.restore();

  expect(root.counter).toBe(counter);
  expect(counter).toEqual({ count: 0, owner: null });
  expect(table).toHaveLength(4);
  expect(0 in table).toBe(false);
  expect(table[3]).toBe(counter);
  expect([...byName]).toEqual([['a', counter]]);
  expect([...members]).toEqual(['x', 'y']);
  expect([...typed]).toEqual([1, 2]);
});

test('restore puts Map and Set entries back in order after changes in the middle, and after clear()', () => {
  const first = new Counter();
  const map = new Map<string, Counter | number>([
    ['a', 1],
    ['b', first],
    ['c', 3],
  ]);
  const set = new Set<string>(['p', 'q', 'r']);
  const checkpoint = Checkpoint.take([{ map, set }]);

  map.set('a', 9);
  map.delete('b');
  map.set('d', 4);
  map.set('b', new Counter());
  set.delete('q');
  set.add('s');
  checkpoint.restore();

  expect([...map]).toEqual([
    ['a', 1],
    ['b', first],
    ['c', 3],
  ]);
  expect(map.get('b')).toBe(first);
  expect([...set]).toEqual(['p', 'q', 'r']);
  map.clear();
  set.add('t');
  checkpoint.restore();
  expect([...map.keys()]).toEqual(['a', 'b', 'c']);
  expect([...set]).toEqual(['p', 'q', 'r']);
});

test('a shared object is neither recorded nor entered', () => {
  const shared = { graph: new Map<string, number>() };
  const own = new Counter();
  const checkpoint = Checkpoint.take([{ shared, own }], new Set([shared]));
  shared.graph.set('edge', 1);
  own.count = 1;
  checkpoint.restore();
  expect([...shared.graph]).toEqual([['edge', 1]]);
  expect(own.count).toBe(0);
  expect(checkpoint.size).toBe(2);
});

test('state it cannot read back is refused', () => {
  expect(() => Checkpoint.take([{ cache: new WeakMap() }])).toThrow(CheckpointError);
  expect(() => Checkpoint.take([{ cache: new WeakMap() }])).toThrow(/cannot checkpoint a WeakMap/);
  expect(() => Checkpoint.take([{ view: new DataView(new ArrayBuffer(4)) }])).toThrow(
    /cannot checkpoint a DataView/,
  );
  const hidden = {};
  Object.defineProperty(hidden, 'secret', { value: 1, enumerable: false, writable: true });
  expect(() => Checkpoint.take([hidden])).toThrow(/non-enumerable/);
  const tagged = { [Symbol('tag')]: 1 };
  expect(() => Checkpoint.take([tagged])).toThrow(CheckpointError);
});

test('a frozen object is entered but left as it is', () => {
  const inner = new Counter();
  const frozen = Object.freeze({ inner });
  const checkpoint = Checkpoint.take([frozen]);
  inner.count = 3;
  checkpoint.restore();
  expect(inner.count).toBe(0);
  expect(checkpoint.size).toBe(1);
});

test('a property added or deleted after the checkpoint throws where it is written, and restore still holds', () => {
  const counter = new Counter();
  const record: Record<string, number> = { kept: 1 };
  const checkpoint = Checkpoint.take([{ counter, record }]);
  expect(() => {
    record['added'] = 2;
  }).toThrow(TypeError);
  expect(() => {
    delete record['kept'];
  }).toThrow(TypeError);
  counter.count = 4;
  record['kept'] = 5;
  checkpoint.restore();
  expect(record).toEqual({ kept: 1 });
  expect(counter).toEqual({ count: 0, owner: null });
});
