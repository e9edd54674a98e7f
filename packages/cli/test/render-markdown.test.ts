import { renderMarkdown } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

test('the markdown has a mermaid block per strategy', () => {
  const report = sampleReport();
  const blocks = renderMarkdown(report).match(/```mermaid\nflowchart LR\n/g) ?? [];
  expect(blocks).toHaveLength(report.strategies.length);
});

test('the markdown table has a column per strategy and every row has as many cells', () => {
  const report = sampleReport();
  const tableLines = renderMarkdown(report)
    .split('\n')
    .filter((line) => line.startsWith('| '));
  const cellCount = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;
  expect(tableLines[0]).toBe(`|  | ${report.strategies.map((s) => s.name).join(' | ')} |`);
  for (const line of tableLines) expect(cellCount(line)).toBe(report.strategies.length + 1);
});

test('the markdown has the machine, the run, what differs and each race with its schedule and report', () => {
  const report = sampleReport();
  const markdown = renderMarkdown(report);
  expect(markdown).toContain('AMD EPYC 7B13 64-Core Processor, 8 cores');
  expect(markdown).toContain(`Run: \`${report.run?.command.join(' ')}\`, commit ${report.run?.commit}.`);
  expect(markdown).toContain(`## What differs\n\n- ${report.differences[0]}`);
  expect(markdown).toContain('- add-vs-del: violation: stale-association');
  expect(markdown).toContain('minimal schedule: `1 2@8`');
  expect(markdown).toContain(
    '```text\n==================================================================\nBUG: stale association of kvm_vfio_group',
  );
});

test('the markdown lists each variant with its difference and its convictions', () => {
  const report = sampleReport();
  const markdown = renderMarkdown(report);
  const section = markdown.slice(
    markdown.indexOf('## Variants and their convictions'),
    markdown.indexOf('## Strategies'),
  );
  for (const variant of report.variants ?? []) {
    expect(section).toContain(`### \`${variant.name}\``);
    expect(section).toContain(variant.difference.replace(/>/g, '&gt;'));
  }
  expect(section).toContain('- add-vs-del: use-after-free, schedule `1 2@9`');
  expect(section).toContain('Not convicted by any scenario.');
});

test('markdown text cannot break the table or inject HTML', () => {
  const report = sampleReport();
  const first = report.strategies[0];
  if (first === undefined) throw new Error('sample report has no strategies');
  first.summary = 'a | b <script>alert(1)</script>';
  const markdown = renderMarkdown(report);
  expect(markdown).not.toContain('<script>');
  expect(markdown).toContain('a \\| b &lt;script&gt;alert(1)&lt;/script&gt;');
});
