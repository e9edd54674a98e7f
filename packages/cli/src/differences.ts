import type { CouplingMetrics as BenchCoupling } from '@coupling-lab/bench';

export interface DifferenceRow {
  readonly name: string;
  readonly matrix: BenchCoupling['matrix'];
  readonly unloadWhileInUse: BenchCoupling['unloadWhileInUse'];
  readonly lookupsPerAdd: number;
}

const matrixQuestions: readonly [keyof BenchCoupling['matrix'], string][] = [
  ['insmodKvmAlone', 'insmod kvm with vfio absent'],
  ['createDeviceWithoutVfio', 'KVM_CREATE_DEVICE for VFIO with only kvm loaded'],
  ['rmmodKvm', 'rmmod kvm with nothing open'],
  ['rmmodVfioPci', 'rmmod vfio_pci with nothing open'],
  ['rmmodVfioAfterVfioPci', 'rmmod vfio after rmmod vfio_pci'],
];

/**
 * SPEC 8's "what may differ", as measured: one line per question whose answer is not the same
 * for every strategy, grouping strategies by answer. Questions where all agree are left out.
 */
export function differences(rows: readonly DifferenceRow[]): string[] {
  const lines: string[] = [];
  const describe = (question: string, answerOf: (row: DifferenceRow) => string): void => {
    const groups = new Map<string, string[]>();
    for (const row of rows) groups.set(answerOf(row), [...(groups.get(answerOf(row)) ?? []), row.name]);
    if (groups.size < 2) return;
    lines.push(
      `${question}: ${[...groups].map(([answer, names]) => `${answer} for ${names.join(', ')}`).join('; ')}`,
    );
  };
  for (const [key, question] of matrixQuestions) describe(question, (row) => row.matrix[key]);
  const modules = new Set(rows.flatMap((row) => row.unloadWhileInUse.map((entry) => entry.module)));
  for (const module of modules) {
    describe(`rmmod ${module} while a VM uses a group`, (row) =>
      row.unloadWhileInUse.find((entry) => entry.module === module)?.result ?? 'no such module');
  }
  describe('symbol lookups per GROUP_ADD', (row) => String(row.lookupsPerAdd));
  return lines;
}
