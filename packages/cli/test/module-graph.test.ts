import {
  drawnEdgeKinds,
  graphDot,
  graphLegendHtml,
  graphMermaid,
  graphMermaidDocument,
  graphSvg,
  type CouplingMetrics,
} from '../src/report/index.js';
import { sampleReport } from './sample-report.js';

function coupling(name: string): CouplingMetrics {
  const strategy = sampleReport().strategies.find((s) => s.name === name);
  if (strategy === undefined) throw new Error(`no ${name} in the sample report`);
  return strategy.coupling;
}

test('mermaid draws hard edges as -->, symbol_get as dashed and registers as thick', () => {
  expect(graphMermaid('direct', coupling('direct'))).toContain('  kvm --> vfio');
  expect(graphMermaid('symbol-get', coupling('symbol-get'))).toContain('  kvm -.->|symbol_get| vfio');
  const registerOps = graphMermaid('register-ops', coupling('register-ops'));
  expect(registerOps.split('\n')[0]).toBe('flowchart LR');
  expect(registerOps).toContain('  kvm_vfio --> kvm');
  expect(registerOps).toContain('  kvm_vfio ==>|registers| kvm');
  expect(registerOps).toContain('  vfio_pci["vfio_pci"]');
});

test('mermaid gives names that are not plain words a safe id', () => {
  const text = graphMermaid('odd', { ...coupling('direct'), modules: ['end', 'a"b'], edges: [] });
  expect(text).toContain('  m0["end"]');
  expect(text).toContain('  m1["a#quot;b"]');
});

test('several graphs are one Mermaid document: one flowchart, a subgraph per strategy, no node shared between them', () => {
  const names = ['direct', 'register-ops'];
  const text = graphMermaidDocument(names.map((name) => ({ name, metrics: coupling(name) })));
  const lines = text.split('\n');
  expect(lines.filter((line) => line.startsWith('flowchart'))).toEqual(['flowchart LR']);
  expect(lines.filter((line) => /^\s+subgraph /.test(line))).toEqual([
    '  subgraph s0["direct"]',
    '  subgraph s1["register-ops"]',
  ]);
  expect(lines.filter((line) => line.trim() === 'end')).toHaveLength(2);
  const declared = lines.flatMap((line) => /^\s+(\w+)\["/.exec(line)?.[1] ?? []);
  expect(new Set(declared).size).toBe(declared.length);
  expect(lines).toContain('    s1_kvm_vfio ==>|registers| s1_kvm');
});

test('dot styles edges by kind and labels the run-time ones', () => {
  const dot = graphDot('register-ops', coupling('register-ops'));
  expect(dot).toMatch(/^digraph "register-ops" \{/);
  expect(dot).toContain('"kvm_vfio" -> "kvm" [style=solid, color="#222222"];');
  expect(dot).toMatch(/"kvm_vfio" -> "kvm" \[style=dotted, color="#d55e00", label="registers"/);
  expect(graphDot('symbol-get', coupling('symbol-get'))).toMatch(
    /"kvm" -> "vfio" \[style=dashed, [^\]]*label="symbol_get"/,
  );
});

test('Graphviz lays out a box per module and an edge per dependency, with ids of its own', async () => {
  const metrics = coupling('register-ops');
  const svg = await graphSvg('register-ops', metrics);
  expect(svg.startsWith('<svg class="module-graph-svg"')).toBe(true);
  expect(svg.match(/<g id="[^"]*" class="node">/g)).toHaveLength(metrics.modules.length);
  expect(svg.match(/<g id="[^"]*" class="edge">/g)).toHaveLength(metrics.edges.length);
  for (const id of svg.matchAll(/ id="([^"]*)"/g)) expect(id[1]).toMatch(/^mg-register-ops-/);
  expect(svg).not.toMatch(/<\?xml|<!DOCTYPE/);
});

test('the legend lists only the edge kinds a graph draws', () => {
  expect(drawnEdgeKinds(coupling('direct'))).toEqual(['hard']);
  expect(drawnEdgeKinds(coupling('register-ops'))).toEqual(['hard', 'registers']);
  const legend = graphLegendHtml(coupling('symbol-get'));
  expect([...legend.matchAll(/data-edge-kind="([^"]*)"/g)].map((m) => m[1])).toEqual(['hard', 'symbol_get']);
});

test('the svg escapes module names and keeps modules only an edge names', async () => {
  const metrics: CouplingMetrics = {
    ...coupling('direct'),
    modules: ['kvm'],
    edges: [{ from: 'kvm', to: '<evil>', kind: 'symbol_get' }],
  };
  const svg = await graphSvg('x', metrics);
  expect(svg).not.toContain('<evil>');
  expect(svg).toContain('&lt;evil&gt;');
  expect(svg.match(/class="node"/g)).toHaveLength(2);
});
