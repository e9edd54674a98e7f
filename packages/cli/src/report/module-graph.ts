import { instance, type Viz } from '@viz-js/viz';
import { escapeHtml, idFragment } from './escape.js';
import type { CouplingMetrics, ModuleEdge } from './types.js';

type EdgeKind = ModuleEdge['kind'];

/** How each kind of edge is drawn, in every format: colour, Graphviz style, SVG dash, legend text. */
export const edgeStyles: Record<EdgeKind, { colour: string; dot: string; dash: string; legend: string }> = {
  hard: { colour: '#222222', dot: 'solid', dash: '', legend: 'hard import (resolved at load)' },
  symbol_get: { colour: '#0072b2', dot: 'dashed', dash: '7 4', legend: 'symbol_get (looked up at run time)' },
  registers: { colour: '#d55e00', dot: 'dotted', dash: '2 3', legend: 'registers its ops with' },
};
const edgeKinds = Object.keys(edgeStyles) as EdgeKind[];

/** Every module named by the metrics, including any an edge names but the module list forgot. */
export function graphModules(metrics: CouplingMetrics): string[] {
  return [...new Set([...metrics.modules, ...metrics.edges.flatMap((e) => [e.from, e.to])])];
}

/** The edge kinds the graph actually has, in legend order: a legend lists only what is drawn. */
export function drawnEdgeKinds(metrics: CouplingMetrics): EdgeKind[] {
  return edgeKinds.filter((kind) => metrics.edges.some((edge) => edge.kind === kind));
}

function dotString(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function dotEdgeAttributes(kind: EdgeKind): string {
  const { colour, dot } = edgeStyles[kind];
  const label = kind === 'hard' ? '' : `, label=${dotString(kind)}, fontcolor="${colour}"`;
  return `style=${dot}, color="${colour}"${label}`;
}

/** The graph in Graphviz DOT, styled as report.html draws it (`dot -Tsvg` gives the same picture). */
export function graphDot(name: string, metrics: CouplingMetrics): string {
  return [
    `digraph ${dotString(name)} {`,
    '  rankdir=LR;',
    '  pad=0.15; nodesep=0.45; ranksep=0.8;',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef2f8", color="#4a5a78", fontname="Courier", fontsize=13];',
    '  edge [fontname="Courier", fontsize=11, penwidth=1.5, arrowsize=0.8];',
    ...graphModules(metrics).map((m) => `  ${dotString(m)};`),
    ...metrics.edges.map(
      (e) => `  ${dotString(e.from)} -> ${dotString(e.to)} [${dotEdgeAttributes(e.kind)}];`,
    ),
    '}',
  ].join('\n');
}

let viz: Promise<Viz> | undefined;

/** Graphviz compiled to WebAssembly (@viz-js/viz): a real layout, nothing to download at run time. */
function graphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

/**
 * The strategy's module graph as inline SVG, laid out by Graphviz from `graphDot`: boxes never
 * overlap, parallel edges (register-ops' import and registration of kvm) are drawn apart and edge
 * labels get their own room. Ids carry the strategy name so several graphs can share a page.
 */
export async function graphSvg(name: string, metrics: CouplingMetrics): Promise<string> {
  const svg = (await graphviz()).renderString(graphDot(name, metrics), { format: 'svg', engine: 'dot' });
  const prefix = `mg-${idFragment(name)}`;
  const points = (value: string): number => Math.ceil((Number(value) * 4) / 3);
  return svg
    .slice(svg.indexOf('<svg'))
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    .replace(/ id="/g, ` id="${prefix}-`)
    .replace(
      /<svg width="([\d.]+)pt" height="([\d.]+)pt"/,
      (_, w: string, h: string) =>
        `<svg class="module-graph-svg" role="img" aria-label="${escapeHtml(`Module graph of ${name}`)}" width="${points(w)}" height="${points(h)}"`,
    )
    .trim();
}

/** The legend of one graph: a line of each edge kind it draws, and only those. */
export function graphLegendHtml(metrics: CouplingMetrics): string {
  const items = drawnEdgeKinds(metrics).map((kind) => {
    const { colour, dash, legend } = edgeStyles[kind];
    const swatch = `<svg width="34" height="10" aria-hidden="true"><line x1="1" y1="5" x2="33" y2="5" stroke="${colour}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/></svg>`;
    return `<li data-edge-kind="${kind}">${swatch} ${escapeHtml(legend)}</li>`;
  });
  return items.length === 0 ? '' : `<ul class="graph-legend">${items.join('')}</ul>`;
}

/** Mermaid ids must be plain words; module names usually are, anything else gets a numbered id. */
function mermaidIds(modules: string[], prefix: string): Map<string, string> {
  return new Map(
    modules.map((m, i) => [m, `${prefix}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(m) && m !== 'end' ? m : `m${i}`}`]),
  );
}

const mermaidArrows: Record<EdgeKind, string> = {
  hard: '-->',
  symbol_get: '-.->|symbol_get|',
  registers: '==>|registers|',
};

function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/\r?\n/g, ' ')}"`;
}

function mermaidBody(metrics: CouplingMetrics, prefix: string, indent: string): string[] {
  const modules = graphModules(metrics);
  const ids = mermaidIds(modules, prefix);
  const id = (m: string): string => ids.get(m) ?? m;
  return [
    ...modules.map((m) => `${indent}${id(m)}[${mermaidLabel(m)}]`),
    ...metrics.edges.map((e) => `${indent}${id(e.from)} ${mermaidArrows[e.kind]} ${id(e.to)}`),
  ];
}

/** One strategy's graph as a Mermaid flowchart (report.md has one per strategy). */
export function graphMermaid(name: string, metrics: CouplingMetrics): string {
  return [
    'flowchart LR',
    `  %% module graph of ${name.replace(/\r?\n/g, ' ')}`,
    ...mermaidBody(metrics, '', '  '),
  ].join('\n');
}

/**
 * Several strategies' graphs as one valid Mermaid document: a subgraph per strategy, node ids
 * prefixed per subgraph so that each strategy's kvm is its own node.
 */
export function graphMermaidDocument(graphs: readonly { name: string; metrics: CouplingMetrics }[]): string {
  return [
    'flowchart LR',
    ...graphs.flatMap(({ name, metrics }, index) => [
      `  subgraph s${index}[${mermaidLabel(name)}]`,
      ...mermaidBody(metrics, `s${index}_`, '    '),
      '  end',
    ]),
  ].join('\n');
}
