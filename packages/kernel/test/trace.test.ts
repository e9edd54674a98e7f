import { Tracer } from '../src/index.js';

const subjects = (tracer: Tracer): string[] => tracer.steps.map((step) => step.subject);

test('the tracer wraps round its limit many times and still hands back the newest steps, oldest first', () => {
  const tracer = new Tracer(3);
  for (let i = 0; i < 10; i++) tracer.note(i % 2, 'lock', `s${i}`);
  expect(subjects(tracer)).toEqual(['s7', 's8', 's9']);
  expect(tracer.tail(2)).toEqual([
    { thread: 0, point: 'lock', subject: 's8' },
    { thread: 1, point: 'lock', subject: 's9' },
  ]);
});

test('a tail longer than what is kept is all of it, and a tail of 0 is empty', () => {
  const tracer = new Tracer(4);
  tracer.note(1, 'syscall', 'open');
  tracer.note(2, 'file-get', '/dev/kvm');
  expect(tracer.tail(40).map((step) => step.subject)).toEqual(['open', '/dev/kvm']);
  expect(tracer.tail(0)).toEqual([]);
});

test('clear forgets every step; steps recorded afterwards start a new trace', () => {
  const tracer = new Tracer(2);
  for (const subject of ['a', 'b', 'c']) tracer.note(1, 'call', subject);
  tracer.clear();
  expect(tracer.steps).toEqual([]);
  tracer.note(1, 'call', 'd');
  expect(subjects(tracer)).toEqual(['d']);
});
