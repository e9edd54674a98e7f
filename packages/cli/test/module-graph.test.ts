import { graphDot, graphMermaid, graphSvg, type CouplingMetrics } from '../src/report/index.js';
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
  expect(registerOps).toContain('  kvm_vfio --> vfio');
  expect(registerOps).toContain('  kvm_vfio ==>|registers| kvm');
  expect(registerOps).toContain('  vfio_pci["vfio_pci"]');
});

test('mermaid gives names that are not plain words a safe id', () => {
  const text = graphMermaid('odd', { ...coupling('direct'), modules: ['end', 'a"b'], edges: [] });
  expect(text).toContain('  m0["end"]');
  expect(text).toContain('  m1["a#quot;b"]');
});

test('dot styles edges by kind', () => {
  const dot = graphDot('register-ops', coupling('register-ops'));
  expect(dot).toMatch(/^digraph "register-ops" \{/);
  expect(dot).toContain('"kvm_vfio" -> "kvm" [style=solid];');
  expect(dot).toContain('"kvm_vfio" -> "kvm" [style=dotted, label="registers"];');
  expect(graphDot('symbol-get', coupling('symbol-get'))).toContain(
    '"kvm" -> "vfio" [style=dashed, label="symbol_get"];',
  );
});

test('the svg draws a box per module and a line per edge, styled by kind', () => {
  const svg = graphSvg('register-ops', coupling('register-ops'));
  expect(svg.match(/<g class="module"/g)).toHaveLength(4);
  expect(svg.match(/<line class="edge edge-hard"[^>]*stroke-width="1.8" marker-end/g)).toHaveLength(3);
  expect(svg).toMatch(/<line class="edge edge-registers"[^>]*stroke-dasharray="2 3"/);
  expect(svg).toContain('marker-end="url(#mg-register-ops-registers)"');
  expect(svg.match(/<g class="legend">/g)).toHaveLength(3);
  expect(svg).toContain('registers its ops with');
});

test('the svg puts the shared modules at the same place in every graph', () => {
  const kvmBox = (svg: string) => svg.match(/data-module="kvm"><rect x="(\d+)" y="(\d+)"/)?.slice(1);
  const direct = kvmBox(graphSvg('direct', coupling('direct')));
  expect(direct).toBeDefined();
  expect(kvmBox(graphSvg('register-ops', coupling('register-ops')))).toEqual(direct);
});

test('the svg escapes module names and keeps modules only an edge names', () => {
  const metrics: CouplingMetrics = {
    ...coupling('direct'),
    modules: ['kvm'],
    edges: [{ from: 'kvm', to: '<evil>', kind: 'symbol_get' }],
  };
  const svg = graphSvg('x', metrics);
  expect(svg).not.toContain('<evil>');
  expect(svg).toContain('&lt;evil&gt;');
  expect(svg.match(/<g class="module"/g)).toHaveLength(2);
});
