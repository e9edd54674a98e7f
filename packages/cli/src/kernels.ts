import {
  type CouplingStrategy,
  DEFAULT_LINUX,
  isLinuxName,
  type LinuxName,
  linuxNames,
  runsOn,
} from '@coupling-lab/lab';
import { UsageError } from './usage-error.js';

/** `--linux v5.17|v6.6|all` as the kernels to run on, in the lab's order; a bad name is a usage error. */
export function selectKernels(value: string | undefined): LinuxName[] {
  if (value === undefined) return [DEFAULT_LINUX];
  if (value === 'all') return [...linuxNames];
  if (isLinuxName(value)) return [value];
  throw new UsageError(`unknown --linux "${value}"; valid: ${[...linuxNames, 'all'].join(', ')}`);
}

/** The strategies that exist on `linux`, and those set aside with the reason they do not. */
export function splitByKernel(
  strategies: readonly CouplingStrategy[],
  linux: LinuxName,
): { runs: CouplingStrategy[]; notOnKernel: { name: string; reason: string }[] } {
  const runs: CouplingStrategy[] = [];
  const notOnKernel: { name: string; reason: string }[] = [];
  for (const strategy of strategies) {
    const support = runsOn(strategy, linux);
    if (support === true) runs.push(strategy);
    else notOnKernel.push({ name: strategy.name, reason: support });
  }
  return { runs, notOnKernel };
}
