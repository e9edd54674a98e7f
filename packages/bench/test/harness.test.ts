import { measurePrimitiveCosts, parseHarnessOutput, primitiveNames } from '@coupling-lab/bench';
import { spawnSync } from 'node:child_process';

const hasCompiler = spawnSync('cc', ['--version']).status === 0;

(hasCompiler ? test : test.skip)(
  'the C harness compiles and prices every primitive with a positive median and a spread',
  () => {
    const table = measurePrimitiveCosts({ quick: true });
    expect(table.source).toBe('harness');
    for (const name of primitiveNames) {
      const cost = table.primitives[name];
      expect(cost.medianNs).toBeGreaterThan(0);
      expect(cost.q1Ns).toBeGreaterThan(0);
      expect(cost.q1Ns).toBeLessThanOrEqual(cost.medianNs);
      expect(cost.q3Ns).toBeGreaterThanOrEqual(cost.medianNs);
      expect(cost.q3Ns).toBeGreaterThan(cost.q1Ns);
    }
  },
);

test('with no compiler on the PATH the published table stands in and says so', () => {
  const table = measurePrimitiveCosts({ env: { PATH: '' } });
  expect(table.source).toBe('published');
  expect(table.detail).toBe('no C compiler (cc is not on the PATH)');
  for (const name of primitiveNames) expect(table.primitives[name].basis).not.toBe('');
});

test('a compiler that fails gives the published table too, with its reason', () => {
  const table = measurePrimitiveCosts({ cc: 'false' });
  expect(table.source).toBe('published');
  expect(table.detail).toMatch(/^false -O2 failed on the harness/);
});

test('harness output missing a primitive, or with a non-positive figure, is refused', () => {
  const entry = (name: string, median: number) => ({
    name,
    kernel: name,
    median_ns: median,
    q1_ns: median / 2,
    q3_ns: median * 2,
  });
  const output = (entries: unknown[]) =>
    JSON.stringify({
      compiler: 'cc',
      retpoline: true,
      vmlinuxSymbols: 1,
      modules: 1,
      ownerPosition: 0,
      clockResolutionNs: 1,
      primitives: entries,
    });
  const all = primitiveNames.map((name) => entry(name, 3));
  expect(parseHarnessOutput(output(all)).primitives.fput.medianNs).toBe(3);
  expect(() => parseHarnessOutput(output(all.slice(1)))).toThrow('did not time find_symbol');
  expect(() => parseHarnessOutput(output([...all.slice(0, -1), entry('fput', 0)]))).toThrow('fput');
});
