import type { CouplingMetrics, StrategyReport } from './report/index.js';

/** SPEC 8's questions with nothing open, as report.json's `coupling.matrix` answers them. */
export const matrixQuestions: readonly [keyof CouplingMetrics['matrix'], string][] = [
  ['insmodKvmAlone', 'insmod kvm with vfio absent'],
  ['createDeviceWithoutVfio', 'KVM_CREATE_DEVICE for VFIO with only kvm loaded'],
  ['rmmodKvm', 'rmmod kvm with nothing open'],
  ['rmmodVfioPci', 'rmmod vfio_pci with nothing open'],
  ['rmmodVfioAfterVfioPci', 'rmmod vfio after rmmod vfio_pci'],
];

/**
 * SPEC 8's "what may differ", as measured and as report.json holds it: one line per question
 * whose answer is not the same for every strategy, grouping strategies by answer
 * (`question: a for x, y; b for z`). Questions where all agree are left out.
 */
export function differences(strategies: readonly StrategyReport[]): string[] {
  const lines: string[] = [];
  const describe = (question: string, answerOf: (strategy: StrategyReport) => string): void => {
    const groups = new Map<string, string[]>();
    for (const strategy of strategies) {
      const answer = answerOf(strategy);
      groups.set(answer, [...(groups.get(answer) ?? []), strategy.name]);
    }
    if (groups.size < 2) return;
    lines.push(
      `${question}: ${[...groups].map(([answer, names]) => `${answer} for ${names.join(', ')}`).join('; ')}`,
    );
  };
  for (const [key, question] of matrixQuestions) describe(question, (s) => s.coupling.matrix[key]);
  const modules = new Set(
    strategies.flatMap((s) => s.coupling.unloadWhileInUse.map((entry) => entry.module)),
  );
  for (const module of modules) {
    describe(`rmmod ${module} while a VM uses a group`, (s) =>
      s.coupling.unloadWhileInUse.find((entry) => entry.module === module)?.result ?? 'no such module');
  }
  describe('symbol lookups per GROUP_ADD', (s) => String(s.counts.GROUP_ADD.symbolLookups));
  return lines;
}
