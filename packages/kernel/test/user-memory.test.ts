import { Tracer, UserMemory } from '@coupling-lab/kernel';

test('copy_from_user reads only what was placed, as the type it was placed as; every other address faults', () => {
  const memory = new UserMemory();
  const int = memory.place(42);
  const text = memory.place('0000:01:00.0');
  expect(int).not.toBe(text);
  expect(memory.readInt32(int)).toBe(42);
  expect(memory.readString(text)).toBe('0000:01:00.0');
  // get_user of a string's address and strncpy_from_user of an int's both fault.
  expect(memory.readInt32(text)).toBeUndefined();
  expect(memory.readString(int)).toBeUndefined();
  expect(memory.readInt32(0xdead_beef)).toBeUndefined();
  expect(memory.readString(0)).toBeUndefined();
});

test('the tracer keeps the newest steps up to its limit and hands back the last ones, oldest first', () => {
  const tracer = new Tracer(3);
  for (const subject of ['a', 'b', 'c', 'd']) tracer.record({ thread: 1, point: 'call', subject });
  expect(tracer.steps.map((step) => step.subject)).toEqual(['b', 'c', 'd']);
  expect(tracer.tail(2).map((step) => step.subject)).toEqual(['c', 'd']);
});
