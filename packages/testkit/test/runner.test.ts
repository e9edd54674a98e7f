import assert from 'node:assert/strict';
import { GetOpsStrategy } from '@coupling-lab/strategy-get-ops';
import {
  type ConformanceCase,
  conformanceCases,
  qemu,
  runCase,
  runConformance,
  strategyName,
} from '@coupling-lab/testkit';
import './strategies';

const passing: ConformanceCase = {
  name: 'passes',
  run(sys) {
    sys.modprobeAll();
    qemu(sys);
  },
};

describe('runCase', () => {
  test('a case that returns, on a system that tears down cleanly, passes', () => {
    expect(runCase('direct', passing)).toEqual({ name: 'passes', ok: true });
  });

  test('a failed assertion fails the case with its message', () => {
    const result = runCase('direct', {
      name: 'asserts',
      run() {
        assert.equal(1, 2, 'one is not two');
      },
    });
    expect(result.ok).toBe(false);
    expect(result.error).toContain('one is not two');
    expect(result.violation).toBeUndefined();
  });

  test('a KernelViolation fails the case with its kind in the error', () => {
    const result = runCase('symbol-get', {
      name: 'underflows',
      run(sys) {
        sys.modprobeAll();
        const kvm = sys.kernel.findModule('kvm');
        if (kvm === undefined) throw new Error('kvm is loaded');
        sys.kernel.modulePut(kvm);
      },
    });
    expect(result).toMatchObject({ ok: false, violation: 'refcount-underflow' });
    expect(result.error).toMatch(/^refcount-underflow: /);
  });

  test('a reference left behind fails the case at teardown', () => {
    const result = runCase('get-ops', {
      name: 'leaks',
      run(sys) {
        sys.modprobeAll();
        sys.kernel.tryModuleGet(sys.kernel.findModule('vfio') ?? null);
      },
    });
    expect(result).toMatchObject({ ok: false, violation: 'leak' });
    expect(result.error).toContain('at teardown');
  });

  test('a process left running is torn down, not a failure', () => {
    expect(runCase('register-ops', passing).ok).toBe(true);
  });
});

describe('runConformance', () => {
  test('takes a registered name, a class or an instance, and names the strategy', () => {
    for (const strategy of ['get-ops', GetOpsStrategy, new GetOpsStrategy()]) {
      expect(strategyName(strategy)).toBe('get-ops');
      const result = runConformance(strategy, { filter: 'coherency:' });
      expect(result.strategy).toBe('get-ops');
      expect(result.cases.length).toBe(conformanceCases.filter((c) => c.name.includes('coherency:')).length);
      expect(result).toMatchObject({ passed: result.cases.length, failed: 0 });
    }
  });

  test('counts passes and failures', () => {
    const failing: ConformanceCase = {
      name: 'fails',
      run() {
        throw new Error('no');
      },
    };
    const result = runConformance('direct', { cases: [passing, failing, passing] });
    expect(result).toMatchObject({ strategy: 'direct', passed: 2, failed: 1 });
    expect(result.cases.map((c) => c.ok)).toEqual([true, false, true]);
  });

  test('runs every case by default', () => {
    const result = runConformance('symbol-get-file');
    expect(result.cases.map((c) => c.name)).toEqual(conformanceCases.map((c) => c.name));
    expect(result.failed).toBe(0);
  });

  test('an unknown strategy name is an error naming the registered ones', () => {
    expect(() => runConformance('no-such-strategy')).toThrow(/registered: .*get-ops/);
  });
});
