import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { differences, main, Progress, type Report, type StrategyReport } from '../src/index.js';
import { sampleReport } from './sample-report.js';

/** Every question "What differs" may ask, answered from report.json alone (the test's own reading of SPEC 8). */
function answers(strategies: readonly StrategyReport[]): Map<string, Map<string, string>> {
  const questions = new Map<string, Map<string, string>>();
  const ask = (question: string, answer: (s: StrategyReport) => string): void => {
    questions.set(question, new Map(strategies.map((s) => [s.name, answer(s)])));
  };
  ask('insmod kvm with vfio absent', (s) => s.coupling.matrix.insmodKvmAlone);
  ask('KVM_CREATE_DEVICE for VFIO with only kvm loaded', (s) => s.coupling.matrix.createDeviceWithoutVfio);
  ask('rmmod kvm with nothing open', (s) => s.coupling.matrix.rmmodKvm);
  ask('rmmod vfio_pci with nothing open', (s) => s.coupling.matrix.rmmodVfioPci);
  ask('rmmod vfio after rmmod vfio_pci', (s) => s.coupling.matrix.rmmodVfioAfterVfioPci);
  for (const module of new Set(strategies.flatMap((s) => s.coupling.unloadWhileInUse.map((u) => u.module)))) {
    ask(
      `rmmod ${module} while a VM uses a group`,
      (s) => s.coupling.unloadWhileInUse.find((u) => u.module === module)?.result ?? 'no such module',
    );
  }
  ask('symbol lookups per GROUP_ADD', (s) => String(s.counts.GROUP_ADD.symbolLookups));
  return questions;
}

/** Reads "question: a for x, y; b for z" back into who answered what (answers may hold "; ", names do not). */
function parse(
  line: string,
  names: readonly string[],
): { question: string; byStrategy: Map<string, string> } {
  const split = line.indexOf(': ');
  const byStrategy = new Map<string, string>();
  const name = names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  const group = new RegExp(`^(.*?) for ((?:${name})(?:, (?:${name}))*)(?:; |$)`);
  let rest = line.slice(split + 2);
  while (rest !== '') {
    const match = group.exec(rest);
    if (match === null) throw new Error(`cannot read "${rest}"`);
    for (const strategy of (match[2] ?? '').split(', ')) byStrategy.set(strategy, match[1] ?? '');
    rest = rest.slice(match[0].length);
  }
  return { question: line.slice(0, split), byStrategy };
}

/** "What differs" lists exactly the questions with more than one answer, each strategy under its own answer. */
function expectDifferencesOf(report: Report): void {
  const expected = [...answers(report.strategies)].filter(
    ([, byStrategy]) => new Set(byStrategy.values()).size > 1,
  );
  const names = report.strategies.map((s) => s.name);
  const listed = report.differences.map((line) => parse(line, names));
  expect(listed.map((d) => d.question)).toEqual(expected.map(([question]) => question));
  for (const [question, byStrategy] of expected) {
    expect(listed.find((d) => d.question === question)?.byStrategy).toEqual(byStrategy);
  }
}

test('the fixture has a question every strategy answers alike, and it is not listed', () => {
  const report = sampleReport();
  const agreed = [...answers(report.strategies)].filter(
    ([, byStrategy]) => new Set(byStrategy.values()).size === 1,
  );
  expect(agreed.map(([question]) => question)).toContain('rmmod vfio_pci with nothing open');
  const computed = { ...report, differences: differences(report.strategies) };
  expectDifferencesOf(computed);
  expect(computed.differences.join('\n')).not.toContain('rmmod vfio_pci with nothing open');
});

test('a real run: report.json\'s "What differs" agrees with the raw answers in the same file', async () => {
  const out = mkdtempSync(join(tmpdir(), 'coupling-lab-differences-'));
  try {
    const code = await main(
      ['compare', '--quick', '--no-bench', '--strategy', 'direct,symbol-get,register-ops', '--out', out],
      {
        out: () => undefined,
        err: () => undefined,
        progress: new Progress(process.stderr, true),
        colour: false,
      },
    );
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.differences.length).toBeGreaterThan(0);
    expectDifferencesOf(report);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
