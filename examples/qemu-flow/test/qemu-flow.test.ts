import { formatTrace, qemuFlow } from '@coupling-lab/example-qemu-flow';

const strategies = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'];

test.each(strategies)("QEMU's sequence succeeds step by step with %s and tears down cleanly", (strategy) => {
  const { lines, sys } = qemuFlow(strategy);
  expect(lines.filter((line) => line.result < 0)).toEqual([]);
  expect(sys.teardown()).toEqual([]);
  expect(sys.inspect().violations).toEqual([]);
});

test('the trace shows the GROUP_ADD lookups each strategy pays', () => {
  const lookups = (strategy: string): number | undefined =>
    qemuFlow(strategy).lines.find((line) => line.call.includes('GROUP_ADD'))?.symbolLookups;
  expect(strategies.map(lookups)).toEqual([0, 3, 3, 1, 0]);
  expect(formatTrace(qemuFlow('get-ops').lines)).toMatch(/GROUP_ADD\)\s+= 0\s+1 lookup,/);
});
