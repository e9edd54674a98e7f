import { countsChartSvg, operationNames, ratioChartSvg } from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

test('the ratio chart has a bar per strategy and operation and a reference line at 1.0', () => {
  const { strategies } = sampleReport();
  const svg = ratioChartSvg(strategies);
  expect(svg.match(/<rect class="bar"/g)).toHaveLength(strategies.length * operationNames.length);
  expect(svg.match(/<path class="whisker"/g)).toHaveLength(strategies.length * operationNames.length);
  expect(svg).toContain('class="reference"');
  expect(svg).toContain('1.0 = direct');
});

test('the ratio chart leaves out strategies that were not timed', () => {
  const { strategies } = sampleReport();
  const [first] = strategies;
  if (first === undefined) throw new Error('sample report has no strategies');
  delete first.bench;
  const svg = ratioChartSvg(strategies);
  expect(svg.match(/<rect class="bar"/g)).toHaveLength((strategies.length - 1) * operationNames.length);
});

test('the counts chart stacks only the non-zero counts', () => {
  const { strategies } = sampleReport();
  const svg = countsChartSvg(strategies);
  const segments = strategies.flatMap((s) =>
    operationNames.flatMap((op) => [
      s.counts[op].symbolLookups,
      s.counts[op].moduleGets,
      s.counts[op].crossModuleCalls,
    ]),
  );
  expect(svg.match(/<rect class="bar"/g)).toHaveLength(segments.filter((n) => n > 0).length);
  expect(svg).toContain('cross-module calls');
});

test('chart text is escaped', () => {
  const { strategies } = sampleReport();
  const [first] = strategies;
  if (first === undefined) throw new Error('sample report has no strategies');
  first.name = '<b>&';
  for (const svg of [ratioChartSvg(strategies), countsChartSvg(strategies)]) {
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&amp;');
  }
});
