import { escapeHtml, idFragment } from './escape.js';
import {
  boxHeight,
  boxWidth,
  graphModules,
  graphWidth,
  layoutBoxes,
  layoutSegments,
} from './module-graph-layout.js';
import type { CouplingMetrics, ModuleEdge } from './types.js';

type EdgeKind = ModuleEdge['kind'];

const edgeStyles: Record<EdgeKind, { colour: string; dash: string; legend: string }> = {
  hard: { colour: '#222222', dash: '', legend: 'hard import (at load)' },
  symbol_get: { colour: '#0072b2', dash: '7 4', legend: 'symbol_get (run time)' },
  registers: { colour: '#d55e00', dash: '2 3', legend: 'registers its ops with' },
};
const edgeKinds = Object.keys(edgeStyles) as EdgeKind[];

const round = (n: number) => Math.round(n * 10) / 10;

function dashAttr(kind: EdgeKind): string {
  const dash = edgeStyles[kind].dash;
  return dash === '' ? '' : ` stroke-dasharray="${dash}"`;
}

function markers(prefix: string): string {
  return edgeKinds
    .map(
      (kind) =>
        `<marker id="${prefix}-${kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${edgeStyles[kind].colour}"/></marker>`,
    )
    .join('');
}

function legend(y: number): string {
  return edgeKinds
    .map((kind, i) => {
      const x = 20 + i * 170;
      const { colour, legend: text } = edgeStyles[kind];
      return `<g class="legend"><line x1="${x}" y1="${y}" x2="${x + 34}" y2="${y}" stroke="${colour}" stroke-width="2"${dashAttr(kind)}/><text x="${x + 40}" y="${y + 4}" font-size="11" fill="#333">${escapeHtml(text)}</text></g>`;
    })
    .join('');
}

/**
 * The strategy's modules as boxes at fixed places with an arrow per edge: hard imports solid,
 * symbol_get dashed, registrations dotted. Ids carry the strategy name so graphs can share a page.
 */
export function graphSvg(name: string, metrics: CouplingMetrics): string {
  const prefix = `mg-${idFragment(name)}`;
  const boxes = layoutBoxes(metrics);
  const segments = layoutSegments(boxes, metrics.edges);
  const legendY = Math.max(...boxes.map((b) => b.y + boxHeight), 60) + 28;
  const height = legendY + 18;
  const title = `Module graph of ${name}`;
  const boxSvg = boxes
    .map(
      (b) =>
        `<g class="module" data-module="${escapeHtml(b.module)}"><rect x="${b.x}" y="${b.y}" width="${boxWidth}" height="${boxHeight}" rx="6" fill="#eef2f8" stroke="#4a5a78" stroke-width="1.2"/><text x="${b.x + boxWidth / 2}" y="${b.y + boxHeight / 2 + 4}" text-anchor="middle" font-size="13" font-family="ui-monospace, Menlo, Consolas, monospace" fill="#111">${escapeHtml(b.module)}</text></g>`,
    )
    .join('');
  const edgeSvg = segments
    .map(({ edge, x1, y1, x2, y2 }) => {
      const label = `${edge.from} → ${edge.to} (${edge.kind})`;
      return `<line class="edge edge-${edge.kind}" x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${edgeStyles[edge.kind].colour}" stroke-width="1.8"${dashAttr(edge.kind)} marker-end="url(#${prefix}-${edge.kind})"><title>${escapeHtml(label)}</title></line>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${graphWidth} ${height}" width="${graphWidth}" height="${height}" role="img" aria-labelledby="${prefix}-title" font-family="system-ui, sans-serif">`,
    `<title id="${prefix}-title">${escapeHtml(title)}</title>`,
    `<defs>${markers(prefix)}</defs>`,
    edgeSvg,
    boxSvg,
    legend(legendY),
    '</svg>',
  ].join('');
}

/** Mermaid ids must be plain words; module names usually are, anything else gets a numbered id. */
function mermaidIds(modules: string[]): Map<string, string> {
  return new Map(modules.map((m, i) => [m, /^[A-Za-z_][A-Za-z0-9_]*$/.test(m) && m !== 'end' ? m : `m${i}`]));
}

const mermaidArrows: Record<EdgeKind, string> = {
  hard: '-->',
  symbol_get: '-.->|symbol_get|',
  registers: '==>|registers|',
};

/** The graph as a Mermaid flowchart, for report.md. */
export function graphMermaid(name: string, metrics: CouplingMetrics): string {
  const modules = graphModules(metrics);
  const ids = mermaidIds(modules);
  const id = (m: string) => ids.get(m) ?? m;
  return [
    'flowchart LR',
    `  %% module graph of ${name.replace(/\r?\n/g, ' ')}`,
    ...modules.map((m) => `  ${id(m)}["${m.replace(/"/g, '#quot;')}"]`),
    ...metrics.edges.map((e) => `  ${id(e.from)} ${mermaidArrows[e.kind]} ${id(e.to)}`),
  ].join('\n');
}

const dotStyles: Record<EdgeKind, string> = {
  hard: 'style=solid',
  symbol_get: 'style=dashed, label="symbol_get"',
  registers: 'style=dotted, label="registers"',
};

function dotString(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The graph in Graphviz DOT. */
export function graphDot(name: string, metrics: CouplingMetrics): string {
  return [
    `digraph ${dotString(name)} {`,
    '  rankdir=LR;',
    '  node [shape=box];',
    ...graphModules(metrics).map((m) => `  ${dotString(m)};`),
    ...metrics.edges.map((e) => `  ${dotString(e.from)} -> ${dotString(e.to)} [${dotStyles[e.kind]}];`),
    '}',
  ].join('\n');
}
