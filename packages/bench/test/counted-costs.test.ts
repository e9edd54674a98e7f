import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';
import { countedCosts } from '@coupling-lab/bench';

test.each([
  // direct and register-ops call VFIO without looking anything up.
  ['direct', { symbolLookups: 0, moduleGets: 0, modulePuts: 0 }],
  ['register-ops', { symbolLookups: 0, moduleGets: 0, modulePuts: 0 }],
  // get-ops: one symbol_get of vfio_file_get_ops, put at once.
  ['get-ops', { symbolLookups: 1, moduleGets: 1, modulePuts: 1 }],
  // symbol-get: get_external_user, set_kvm, check_extension; symbol-get-file: iommu_group, set_kvm, enforced_coherent.
  ['symbol-get', { symbolLookups: 3, moduleGets: 3, modulePuts: 3 }],
  ['symbol-get-file', { symbolLookups: 3, moduleGets: 3, modulePuts: 3 }],
])(
  '%s: one GROUP_ADD costs its lookups and the module references that go with them',
  (strategy, expected) => {
    expect(countedCosts(strategy).GROUP_ADD).toMatchObject(expected);
  },
);

test('GROUP_DEL: symbol-get looks up match, set_kvm and put; symbol-get-file only set_kvm; get-ops none', () => {
  expect(countedCosts('symbol-get').GROUP_DEL.symbolLookups).toBe(3);
  expect(countedCosts('symbol-get-file').GROUP_DEL.symbolLookups).toBe(1);
  expect(countedCosts('get-ops').GROUP_DEL).toMatchObject({ symbolLookups: 0, indirectCalls: 1 });
});

test("DEVICE_CREATE: register-ops pins the ops' owner and calls create through the table", () => {
  expect(countedCosts('direct').DEVICE_CREATE).toMatchObject({ moduleGets: 1, indirectCalls: 0 });
  expect(countedCosts('register-ops').DEVICE_CREATE).toMatchObject({ moduleGets: 2, indirectCalls: 1 });
});

test('every operation takes and drops references in balance over a whole VM life', () => {
  for (const strategy of ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops']) {
    const life = countedCosts(strategy).VM_LIFE;
    expect(life.moduleGets).toBe(life.modulePuts);
  }
});

test('counted costs are deterministic', () => {
  expect(countedCosts('get-ops')).toEqual(countedCosts('get-ops'));
});
