import { renderMarkdown } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

test('the markdown has a mermaid block per strategy', () => {
  const report = sampleReport();
  const markdown = renderMarkdown(report);
  const blocks = markdown.match(/```mermaid\nflowchart LR\n/g) ?? [];
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

test('the markdown has the machine, what differs and each race with its minimal schedule', () => {
  const report = sampleReport();
  const markdown = renderMarkdown(report);
  expect(markdown).toContain('AMD EPYC 7B13 64-Core Processor, 8 cores');
  expect(markdown).toContain('## What differs\n\n- rmmod kvm with nothing open');
  expect(markdown).toContain('- group-close-vs-add: violation: use-after-free');
  expect(markdown).toContain(
    'minimal schedule: `T0:KVM_DEV_VFIO_GROUP_ADD@symbolGet | T1:close(group) | T0:resume`',
  );
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
