import {
  type CouplingEdge,
  type CouplingStrategy,
  type ExternalUserApi,
  externalUserExports,
  isKernelViolation,
  type KernelViolation,
  type KvmVfioPort,
  kvmVfioOps,
  type Machine,
  type ModuleContext,
  type ModuleImage,
  standardModules,
  VFIO,
  type VfioGroup,
} from '@coupling-lab/lab';

/** The functions kvm imports at load in the test strategy (a hard dependency, like the direct baseline). */
const imports = [
  'vfio_group_get_external_user',
  'vfio_group_put_external_user',
  'vfio_external_group_match_file',
  'vfio_group_set_kvm',
  'vfio_external_check_extension',
] as const;

/** KVM's port over VFIO's v5.17 external-user functions, resolved by kvm at load. */
export function importedPort(context: ModuleContext): KvmVfioPort<VfioGroup> {
  const get = context.import<ExternalUserApi['vfio_group_get_external_user']>('vfio_group_get_external_user');
  const put = context.import<ExternalUserApi['vfio_group_put_external_user']>('vfio_group_put_external_user');
  const match = context.import<ExternalUserApi['vfio_external_group_match_file']>(
    'vfio_external_group_match_file',
  );
  const setKvm = context.import<ExternalUserApi['vfio_group_set_kvm']>('vfio_group_set_kvm');
  const check = context.import<ExternalUserApi['vfio_external_check_extension']>(
    'vfio_external_check_extension',
  );
  return {
    acquire: (file) => get(file),
    release: (group) => put(group),
    same: (a, b) => a === b,
    matchesFile: (group, file) => match(group, file),
    isCoherent: (group) => check(group, VFIO.DMA_CC_IOMMU) > 0,
    setKvm: (group, vm) => setKvm(group, vm),
  };
}

/** The module images of the test strategy: vfio, vfio_pci, and kvm importing vfio with the kvm-vfio device built in. */
export function testModules(machine: Machine, extra: readonly ModuleImage[] = []): ModuleImage[] {
  return standardModules(machine, {
    vfioExports: [externalUserExports],
    kvm: { imports, builtinVfioDevice: (context) => kvmVfioOps(context.kernel, importedPort(context)) },
    extra,
  });
}

/** A strategy written in the test, as a strategy package would write one (without registering it anywhere). */
export class TestStrategy implements CouplingStrategy {
  readonly name: string = 'test-direct';
  readonly summary: string = 'kvm imports the external-user API at load';
  readonly runtimeEdges: readonly CouplingEdge[] = [];

  modules(machine: Machine): ModuleImage[] {
    return testModules(machine);
  }
}

/** A class for a strategy named `name` (a variant of `of` when given), to register under a name. */
export function strategyClass(name: string, of?: string): new () => CouplingStrategy {
  return class implements CouplingStrategy {
    readonly name = name;
    readonly summary = `test strategy ${name}`;
    readonly runtimeEdges: readonly CouplingEdge[] = [];
    readonly variant = of === undefined ? undefined : { of, difference: 'a test variant' };
    modules(machine: Machine): ModuleImage[] {
      return testModules(machine);
    }
  };
}

/** A setup step that must succeed for the test to mean anything. */
export function ok(result: number, what: string): number {
  if (result < 0) throw new Error(`${what} failed with ${result}`);
  return result;
}

/** The violation `action` raises; fails the test if it raises none. */
export function violationFrom(action: () => unknown): KernelViolation {
  try {
    action();
  } catch (error) {
    if (isKernelViolation(error)) return error;
    throw error;
  }
  throw new Error('expected a kernel violation, none was raised');
}
