import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';
import {
  type CostTable,
  estimateKernelNs,
  interpret,
  pricedInKernel,
  primitiveCounts,
  type PrimitiveCounts,
  primitiveNames,
  type PrimitiveName,
  zeroCounts,
} from '@coupling-lab/bench';

// A cost table whose figures are easy to add up by hand: primitive i costs (i + 1) ns, its
// quartiles half and twice that.
const table = (retpoline: boolean): CostTable => ({
  source: 'published',
  detail: 'test table',
  retpoline,
  primitives: Object.fromEntries(
    primitiveNames.map((name, i) => [
      name,
      { medianNs: i + 1, q1Ns: (i + 1) / 2, q3Ns: (i + 1) * 2, basis: name },
    ]),
  ) as CostTable['primitives'],
});
const cost = (name: PrimitiveName): number => primitiveNames.indexOf(name) + 1;

const counts: PrimitiveCounts = {
  symbolLookups: 3,
  symbolPuts: 2,
  moduleGets: 3,
  modulePuts: 1,
  directCalls: 4,
  indirectCalls: 5,
  lockAcquisitions: 2,
  fileGets: 1,
  filePuts: 6,
};

test('the estimate is Σ count × cost, symbol_put priced as a find_symbol, indirect calls through the retpoline', () => {
  const expected =
    (3 + 2) * cost('find_symbol') +
    3 * cost('try_module_get') +
    1 * cost('module_put') +
    4 * cost('call_direct') +
    5 * cost('call_retpoline') +
    2 * cost('mutex_pair') +
    1 * cost('fget') +
    6 * cost('fput');
  const estimate = estimateKernelNs(counts, table(true));
  expect(estimate.ns).toBe(expected);
  expect(estimate.lowNs).toBe(expected / 2);
  expect(estimate.highNs).toBe(expected * 2);
  expect(estimate.terms.find((t) => t.primitive === 'find_symbol')).toMatchObject({ count: 5 });
  expect(estimate.terms.reduce((sum, t) => sum + t.ns, 0)).toBe(expected);
});

test('without retpolines an indirect call is priced as a plain indirect call', () => {
  const only = { ...zeroCounts, indirectCalls: 5 };
  expect(estimateKernelNs(only, table(false)).ns).toBe(5 * cost('call_indirect'));
  expect(estimateKernelNs(only, table(true)).ns).toBe(5 * cost('call_retpoline'));
  expect(estimateKernelNs(zeroCounts, table(true))).toEqual({ ns: 0, lowNs: 0, highNs: 0, terms: [] });
});

test('primitive counts: symbol-get puts each symbol it gets; files are counted at fget and fput', () => {
  const add = primitiveCounts('symbol-get').GROUP_ADD.total;
  expect(add).toMatchObject({ symbolLookups: 3, symbolPuts: 3 });
  const file = primitiveCounts('symbol-get-file').GROUP_ADD.total;
  expect(file.fileGets).toBeGreaterThanOrEqual(1);
  expect(primitiveCounts('direct').GROUP_ADD.total).toMatchObject({ symbolLookups: 0, symbolPuts: 0 });
});

test('the reverse direction exists on v6.6 only: VFIO looks up and calls kvm_get_kvm_safe and kvm_put_kvm', () => {
  expect(primitiveCounts('symbol-get-file', 'v5.17').VM_LIFE.reverse).toEqual(zeroCounts);
  const reverse = primitiveCounts('symbol-get-file', 'v6.6').VM_LIFE.reverse;
  expect(reverse).toMatchObject({
    symbolLookups: 2,
    symbolPuts: 2,
    moduleGets: 2,
    modulePuts: 2,
    directCalls: 2,
  });
});

test('the interpretation names the strategy that walks the symbol table most per GROUP_ADD, and its figures', () => {
  const priced = pricedInKernel(['direct', 'get-ops', 'symbol-get'], 'v5.17', table(true));
  const symbolGet = priced.strategies.find((s) => s.name === 'symbol-get');
  expect(symbolGet?.operations.GROUP_ADD.estimate.ns).toBeGreaterThan(
    priced.strategies.find((s) => s.name === 'direct')?.operations.GROUP_ADD.estimate.ns ?? Infinity,
  );
  expect(priced.interpretation).toMatch(
    /^symbol-get pays 6 find_symbol walks per GROUP_ADD \(3 symbol_get, 3 symbol_put\)/,
  );
  expect(priced.interpretation).toContain('for direct');
  expect(interpret(pricedInKernel(['direct'], 'v5.17', table(true)).strategies)).toMatch(
    /^No strategy walks the symbol table per GROUP_ADD/,
  );
});
