import { HeaviestFirst, weighted } from '../src/pool/queue.js';
import { batches } from '../src/core/units.js';
import type { WorkUnit } from '../src/core/units.js';

// The queue sees piscina's task records, which expose the task's queue options under the same
// symbol; a plain object carrying it stands for one here.
const task = (name: string, weight: number, target = name) => weighted({ name }, weight, target);
const drain = (queue: HeaviestFirst): string[] => {
  const order: string[] = [];
  for (let next = queue.shift(); next !== null; next = queue.shift())
    order.push((next as unknown as { name: string }).name);
  return order;
};
const drain1 = (queue: HeaviestFirst): string | undefined =>
  (queue.shift() as unknown as { name: string } | null)?.name;

describe("the pool's queue", () => {
  test('hands out the heaviest exploration first, first come first served among equals', () => {
    const queue = new HeaviestFirst();
    const tasks = [task('a', 3), task('b', 50), task('c', 3), task('d', 50), task('e', 7)];
    for (const t of tasks) queue.push(t);
    expect(queue.size).toBe(5);
    expect(drain(queue)).toEqual(['b', 'd', 'e', 'a', 'c']);
    expect(queue.size).toBe(0);
  });

  test("stays on one target's tasks until none is left, even when a heavier exploration arrives", () => {
    const queue = new HeaviestFirst();
    queue.push(task('x1', 5, 'x'));
    queue.push(task('x2', 5, 'x'));
    expect(drain1(queue)).toBe('x1');
    queue.push(task('y1', 9, 'y'));
    queue.push(task('x3', 5, 'x'));
    queue.push(task('y2', 9, 'y'));
    expect(drain(queue)).toEqual(['x2', 'x3', 'y1', 'y2']);
  });

  test('a task pushed back (no worker was free to take it) is handed out first again', () => {
    const queue = new HeaviestFirst();
    const [x1, x2] = [task('x1', 5, 'x'), task('x2', 5, 'x')];
    queue.push(x1);
    queue.push(x2);
    queue.push(task('z1', 5, 'z'));
    expect(queue.shift()).toBe(x1);
    expect(queue.shift()).toBe(x2);
    queue.push(x2);
    queue.push(task('y1', 9, 'y'));
    expect(queue.size).toBe(3);
    expect(drain(queue)).toEqual(['x2', 'y1', 'z1']);
  });

  test('removes an aborted task wherever it waits', () => {
    const queue = new HeaviestFirst();
    const [a, b, c] = [task('a', 1), task('b', 2), task('c', 1)];
    for (const t of [a, b, c]) queue.push(t);
    queue.remove(a);
    expect(queue.size).toBe(2);
    expect(queue.shift()).toBe(b);
    expect(queue.shift()).toBe(c);
    expect(queue.shift()).toBeNull();
  });
});

test('units go to the pool in consecutive batches, none left out', () => {
  const bound = { maxDepth: 2, maxPreemptions: 3 };
  const units: WorkUnit[] = Array.from({ length: 19 }, (_, index) => ({
    index,
    prefix: [index],
    bound,
    budget: 3,
    maxSchedules: 10,
  }));
  const batched = batches(units, 8);
  expect(batched.map((batch) => batch.length)).toEqual([8, 8, 3]);
  expect(batched.flat()).toEqual(units);
});
