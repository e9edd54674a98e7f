import {
  type ExternalUserApi,
  externalUserExports,
  KVM,
  type KvmDeviceOps,
  kvmVfioOps,
  type KvmVfioPort,
  type Machine,
  type ModuleContext,
  type ModuleImage,
  standardModules,
  VFIO,
  type VfioGroup,
} from '@coupling-lab/lab';
import { DirectStrategy } from '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import { differentialFuzz, runConformance } from '@coupling-lab/testkit';

/** direct's port, rebuilt from lab's exports: kvm imports VFIO's external-user functions at load. */
function port(context: ModuleContext): KvmVfioPort<VfioGroup> {
  const api = <K extends keyof ExternalUserApi>(name: K): ExternalUserApi[K] =>
    context.import<ExternalUserApi[K]>(name);
  return {
    acquire: (file) => api('vfio_group_get_external_user')(file),
    release: (group) => api('vfio_group_put_external_user')(group),
    same: (a, b) => a === b,
    matchesFile: (group, file) => api('vfio_external_group_match_file')(group, file),
    isCoherent: (group) => api('vfio_external_check_extension')(group, VFIO.DMA_CC_IOMMU) > 0,
    setKvm: (group, vm) => api('vfio_group_set_kvm')(group, vm),
  };
}

/** The bug: a successful GROUP_DEL forgets kvm_arch_end_assignment (the VM keeps counting the group). */
function forgetEndAssignment(ops: KvmDeviceOps): KvmDeviceOps {
  const setAttr = ops.set_attr;
  return {
    ...ops,
    set_attr(dev, attr, current) {
      const result = setAttr === undefined ? -1 : setAttr.call(ops, dev, attr, current);
      if (result === 0 && attr.group === KVM.DEV_VFIO_GROUP && attr.attr === KVM.DEV_VFIO_GROUP_DEL)
        dev.kvm.assignedDevices += 1;
      return result;
    },
  };
}

/** direct with the bug, as a strategy a user might write; it is never registered. */
class ForgetfulDelStrategy extends DirectStrategy {
  override readonly name: string = 'broken/del-keeps-assignment';
  override readonly summary: string = 'direct whose GROUP_DEL forgets to end the assignment';

  override modules(machine: Machine): ModuleImage[] {
    const imports = Object.keys(externalUserExports.exports).filter(
      (name) => name !== 'vfio_external_user_iommu_id',
    );
    return standardModules(machine, {
      vfioExports: [externalUserExports],
      kvm: {
        imports,
        builtinVfioDevice: (context) => forgetEndAssignment(kvmVfioOps(context.kernel, port(context))),
      },
    });
  }
}

describe('a deliberately broken strategy', () => {
  test.each([1, 2, 3])('the fuzzer finds it and shrinks to a short counterexample (seed %i)', (seed) => {
    const report = differentialFuzz(['direct', new ForgetfulDelStrategy()], { numRuns: 1000, seed });
    expect(report.passed).toBe(false);
    const failure = report.failure;
    if (failure === undefined) throw new Error('a failed report carries its failure');
    expect(failure.error).toContain('inspect().vms differ');
    expect(failure.error).toContain('"assignedDevices":1');
    expect(failure.commands.length).toBeLessThanOrEqual(6);
    expect(failure.commands.some((command) => command.includes('.del('))).toBe(true);
    // The report says how to replay it: the seed and the path.
    expect(report.message).toContain(`seed ${seed}`);
    expect(report.message).toContain('counterexample:');
    for (const command of failure.commands) expect(report.message).toContain(command);
  });

  test('the reported seed and path replay the same counterexample', () => {
    const first = differentialFuzz(['direct', new ForgetfulDelStrategy()], { numRuns: 1000, seed: 7 });
    const failure = first.failure;
    if (failure === undefined) throw new Error('expected a failure');
    const replayed = differentialFuzz(['direct', new ForgetfulDelStrategy()], {
      numRuns: 1,
      seed: failure.seed,
      path: failure.path,
      ...(failure.replayPath === undefined ? {} : { replayPath: failure.replayPath }),
    });
    expect(replayed.failure?.commands).toEqual(failure.commands);
  });

  test('the conformance suite convicts it too, on the assignment count', () => {
    const result = runConformance(new ForgetfulDelStrategy());
    expect(result.strategy).toBe('broken/del-keeps-assignment');
    const failed = result.cases.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toContain(
      'assignment: each added group counts one assigned device, each delete drops one',
    );
    expect(result.failed).toBe(failed.length);
    expect(result.passed + result.failed).toBe(result.cases.length);
  });

  test("the same seed passes for two different strategies that agree, so the conviction above is the broken strategy's", () => {
    // direct and get-ops share no coupling code (a hard import against one symbol_get of a table).
    expect(differentialFuzz(['direct', 'get-ops'], { numRuns: 50, seed: 1 }).passed).toBe(true);
  });
});
