import type { CouplingMetrics, ModuleEdge } from './types.js';

export const boxWidth = 120;
export const boxHeight = 40;
export const graphWidth = 520;

export interface Box {
  module: string;
  x: number;
  y: number;
}

export interface Segment {
  edge: ModuleEdge;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * The four modules every strategy shares keep the same place in every graph, so graphs compare at
 * a glance: kvm and vfio on top, the kvm_vfio glue between and below them, vfio_pci under vfio.
 */
const fixedPlaces: Record<string, [number, number]> = {
  kvm: [20, 20],
  vfio: [380, 20],
  kvm_vfio: [200, 110],
  vfio_pci: [380, 200],
};

/** Where any other module goes, in order of appearance. */
function extraPlace(index: number): [number, number] {
  const slots: [number, number][] = [
    [20, 200],
    [200, 200],
  ];
  const slot = slots[index];
  if (slot !== undefined) return slot;
  const rest = index - slots.length;
  return [20 + (rest % 3) * 180, 290 + Math.floor(rest / 3) * 90];
}

/** Every module named by the metrics, including any an edge names but the module list forgot. */
export function graphModules(metrics: CouplingMetrics): string[] {
  return [...new Set([...metrics.modules, ...metrics.edges.flatMap((e) => [e.from, e.to])])];
}

export function layoutBoxes(metrics: CouplingMetrics): Box[] {
  let extras = 0;
  return graphModules(metrics).map((module) => {
    const [x, y] = fixedPlaces[module] ?? extraPlace(extras++);
    return { module, x, y };
  });
}

/** Moves a point inside `box` along (dx, dy) to where it leaves the box, then `gap` further. */
function leaveBox(box: Box, px: number, py: number, dx: number, dy: number, gap: number): [number, number] {
  const along = (p: number, d: number, low: number, high: number) =>
    d > 0 ? (high - p) / d : d < 0 ? (low - p) / d : Infinity;
  const t = Math.min(along(px, dx, box.x, box.x + boxWidth), along(py, dy, box.y, box.y + boxHeight));
  const len = Math.hypot(dx, dy);
  return [px + dx * t + (dx / len) * gap, py + dy * t + (dy / len) * gap];
}

/**
 * A straight segment per edge, from border to border. Edges between the same two modules run
 * side by side, so that, say, a hard import and a registration between them both show.
 */
export function layoutSegments(boxes: Box[], edges: readonly ModuleEdge[]): Segment[] {
  const byModule = new Map(boxes.map((b) => [b.module, b]));
  const pairKey = (e: ModuleEdge) => [e.from, e.to].sort().join('\0');
  const pairs = new Map<string, ModuleEdge[]>();
  for (const e of edges) pairs.set(pairKey(e), [...(pairs.get(pairKey(e)) ?? []), e]);
  return edges.flatMap((edge) => {
    const from = byModule.get(edge.from);
    const to = byModule.get(edge.to);
    if (from === undefined || to === undefined || from === to) return [];
    const siblings = pairs.get(pairKey(edge)) ?? [edge];
    // Offsets are measured against one canonical direction so that opposite edges don't cancel.
    const [a, b] = edge.from < edge.to ? [from, to] : [to, from];
    const ux = b.x - a.x;
    const uy = b.y - a.y;
    const ulen = Math.hypot(ux, uy);
    const offset = (siblings.indexOf(edge) - (siblings.length - 1) / 2) * 12;
    const ox = (-uy / ulen) * offset;
    const oy = (ux / ulen) * offset;
    const [fx, fy] = [from.x + boxWidth / 2 + ox, from.y + boxHeight / 2 + oy];
    const [tx, ty] = [to.x + boxWidth / 2 + ox, to.y + boxHeight / 2 + oy];
    const [x1, y1] = leaveBox(from, fx, fy, tx - fx, ty - fy, 0);
    const [x2, y2] = leaveBox(to, tx, ty, fx - tx, fy - ty, 2);
    return [{ edge, x1, y1, x2, y2 }];
  });
}
