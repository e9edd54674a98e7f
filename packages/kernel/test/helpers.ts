import {
  Kernel,
  type FileOperations,
  type KernelOptions,
  type MaySleep,
  type ModuleContext,
  type ModuleImage,
  type ModuleState,
  type PreemptionPoint,
} from '@coupling-lab/kernel';

/** One export of a test module: its value and whether it is EXPORT_SYMBOL_GPL. */
export interface TestExport {
  readonly gpl: boolean;
  readonly value: unknown;
}

/** What a test module does; every part is optional. A spec with `init` and no `exit` cannot be unloaded unforced. */
export interface TestModuleSpec {
  readonly imports?: readonly string[];
  readonly exports?: Readonly<Record<string, TestExport>>;
  readonly load?: (context: ModuleContext) => void;
  readonly init?: (context: ModuleContext) => number;
  readonly exit?: (context: ModuleContext) => MaySleep<void>;
}

export function gpl(value: unknown): TestExport {
  return { gpl: true, value };
}

export function plain(value: unknown): TestExport {
  return { gpl: false, value };
}

/** A small ModuleImage: its init and exit see the ModuleContext of the instance being loaded. */
export function testImage(name: string, spec: TestModuleSpec = {}): ModuleImage {
  const exportSpecs = spec.exports ?? {};
  const declarations = Object.fromEntries(
    Object.entries(exportSpecs).map(([symbol, entry]) => [symbol, { gpl: entry.gpl }]),
  );
  const values = Object.fromEntries(
    Object.entries(exportSpecs).map(([symbol, entry]) => [symbol, entry.value]),
  );
  return {
    name,
    description: `test module ${name}`,
    imports: spec.imports ?? [],
    exports: declarations,
    load(context) {
      spec.load?.(context);
      const init = spec.init;
      const exit = spec.exit;
      return {
        symbols: values,
        ...(init === undefined ? {} : { init: () => init(context) }),
        ...(exit === undefined ? {} : { exit: () => exit(context) }),
      };
    },
  };
}

/** A kernel with `images` registered (nothing loaded). */
export function kernelWith(images: readonly ModuleImage[], options: KernelOptions = {}): Kernel {
  const kernel = new Kernel(options);
  for (const image of images) kernel.registerImage(image);
  return kernel;
}

/** The bookkeeping a test asserts on: state, refcount and use edges of a loaded module. */
export interface ModuleSummary {
  readonly state: ModuleState;
  readonly refcount: number;
  readonly uses: string[];
  readonly usedBy: string[];
}

export function summary(kernel: Kernel, name: string): ModuleSummary | undefined {
  const module = kernel.findModule(name);
  if (module === undefined) return undefined;
  return {
    state: module.state,
    refcount: module.refcount,
    uses: [...module.uses].map((used) => used.name).sort(),
    usedBy: [...module.usedBy].map((user) => user.name).sort(),
  };
}

export function loadedNames(kernel: Kernel): string[] {
  return kernel
    .loadedModules()
    .map((module) => module.name)
    .sort();
}

/** A library module exporting one GPL-only function, `lib_add`, and one plain one, `lib_plain`. */
export function libImage(): ModuleImage {
  return testImage('lib', {
    exports: {
      lib_add: gpl((a: number, b: number) => a + b),
      lib_plain: plain(() => 'plain'),
    },
    init: () => 0,
    exit: () => undefined,
  });
}

/** A module that imports `lib_add` directly (a hard dependency on `lib`). */
export function userImage(name = 'user'): ModuleImage {
  return testImage(name, { imports: ['lib_add'], init: () => 0, exit: () => undefined });
}

/**
 * A driver module that registers the device node `path` on init and removes it on exit; its
 * file operations are `fops` with the module as owner.
 */
export function driverImage(
  name: string,
  path: string,
  fops: Omit<FileOperations, 'owner' | 'name'> = {},
): ModuleImage {
  return testImage(name, {
    init: ({ kernel, module }) => {
      kernel.registerChrdev(path, { name: `${name}_fops`, owner: module, ...fops });
      return 0;
    },
    exit: ({ kernel }) => kernel.unregisterChrdev(path),
  });
}

/** Records every preemption point the kernel passes, as `point subject`. */
export function recordPoints(kernel: Kernel): string[] {
  const points: string[] = [];
  kernel.hook = (point: PreemptionPoint, subject: string) => {
    points.push(`${point} ${subject}`);
  };
  return points;
}
