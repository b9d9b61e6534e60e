/**
 * A layered drawing of a workflow graph, computed here (no graph library): START on top, END at the
 * bottom, each node one layer below the furthest node that leads to it, so branches that run in the
 * same step sit side by side. Within a layer, nodes are ordered by the mean position of their
 * neighbours (a few sweeps of the barycentre heuristic) to keep edges from crossing.
 */
import type { GraphView } from "../../../src/http/api-types.js";

export const START = "__start__";
export const END = "__end__";

export type EdgeKind = "edge" | "join" | "branch" | "goto" | "taken";

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
}

export interface PlacedNode {
  readonly id: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge extends LayoutEdge {
  /** SVG path data. */
  readonly path: string;
  /** Where a label goes. */
  readonly mid: { readonly x: number; readonly y: number };
  /** Goes up (or sideways) against the layering: a loop in the graph. */
  readonly back: boolean;
}

export interface Layout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

export const SIZES = {
  nodeHeight: 34,
  layerGap: 46,
  nodeGap: 22,
  pad: 20,
  charWidth: 7.2,
  minWidth: 84,
} as const;

/** Every edge the graph declares; `extra` adds edges only a run revealed (routers without a path map). */
export function graphEdges(graph: GraphView, extra: readonly LayoutEdge[] = []): LayoutEdge[] {
  const edges: LayoutEdge[] = graph.edges.map((e) => ({ ...e, kind: "edge" as const }));
  for (const j of graph.joins) for (const from of j.from) edges.push({ from, to: j.to, kind: "join" });
  for (const b of graph.branches)
    for (const [label, to] of Object.entries(b.paths ?? {}))
      edges.push({ from: b.from, to, kind: "branch", ...(label !== to ? { label } : {}) });
  for (const n of graph.nodes) for (const to of n.ends) edges.push({ from: n.name, to, kind: "goto" });
  const seen = new Set(edges.map((e) => `${e.from}>${e.to}`));
  for (const e of extra) if (!seen.has(`${e.from}>${e.to}`)) edges.push(e);
  return edges;
}

/** How wide a node is drawn: room for its name. */
export const nodeWidth = (id: string) =>
  id === START || id === END ? 64 : Math.max(SIZES.minWidth, Math.round(id.length * SIZES.charWidth + 26));

/** A node drawn bigger than its name needs: an open subgraph node holding its own graph. */
export type NodeSizes = ReadonlyMap<string, { readonly width: number; readonly height: number }>;

export function layoutGraph(
  graph: GraphView,
  extra: readonly LayoutEdge[] = [],
  sizes: NodeSizes = new Map(),
): Layout {
  const ids = [START, ...graph.nodes.map((n) => n.name), END];
  const edges = graphEdges(graph, extra).filter((e) => ids.includes(e.from) && ids.includes(e.to));
  const back = backEdges(ids, edges);
  const forward = edges.filter((e) => !back.has(e));
  const layer = assignLayers(ids, forward);
  const rows = orderLayers(ids, forward, layer);
  const width = (id: string) => sizes.get(id)?.width ?? nodeWidth(id);
  const height = (id: string) => sizes.get(id)?.height ?? SIZES.nodeHeight;
  const rowWidth = (row: readonly string[]) =>
    row.reduce((sum, id) => sum + width(id), 0) + SIZES.nodeGap * Math.max(0, row.length - 1);
  const canvas = Math.max(...rows.map(rowWidth)) + SIZES.pad * 2 + 60;
  const placed = new Map<string, PlacedNode>();
  // Each layer is as tall as its tallest node; the others sit in its middle.
  let top = SIZES.pad;
  rows.forEach((row, l) => {
    const tall = Math.max(SIZES.nodeHeight, ...row.map(height));
    let x = (canvas - rowWidth(row)) / 2;
    for (const id of row) {
      const [w, h] = [width(id), height(id)];
      placed.set(id, { id, layer: l, x, y: top + (tall - h) / 2, width: w, height: h });
      x += w + SIZES.nodeGap;
    }
    top += tall + SIZES.layerGap;
  });
  const total = top - SIZES.layerGap + SIZES.pad;
  return {
    nodes: [...placed.values()],
    edges: edges.map((e) => route(e, placed.get(e.from)!, placed.get(e.to)!, back.has(e))),
    width: canvas,
    height: total,
  };
}

/** Edges that close a cycle, found by a depth-first walk from START in declaration order. */
function backEdges(ids: readonly string[], edges: readonly LayoutEdge[]): Set<LayoutEdge> {
  const out = new Map<string, LayoutEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const state = new Map<string, "open" | "done">();
  const back = new Set<LayoutEdge>();
  const visit = (id: string) => {
    state.set(id, "open");
    for (const e of out.get(id) ?? []) {
      const s = state.get(e.to);
      if (s === "open") back.add(e);
      else if (!s) visit(e.to);
    }
    state.set(id, "done");
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return back;
}

/** Longest path from START over the acyclic edges; END always last, alone. */
function assignLayers(ids: readonly string[], forward: readonly LayoutEdge[]): Map<string, number> {
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of forward) indegree.set(e.to, indegree.get(e.to)! + 1);
  const queue = ids.filter((id) => indegree.get(id) === 0);
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const e of forward) {
      if (e.from !== id) continue;
      layer.set(e.to, Math.max(layer.get(e.to)!, layer.get(id)! + 1));
      indegree.set(e.to, indegree.get(e.to)! - 1);
      if (indegree.get(e.to) === 0) queue.push(e.to);
    }
  }
  // Nodes nothing leads to (only reachable through an unmapped router) go just below START.
  for (const id of ids) if (id !== START && layer.get(id) === 0) layer.set(id, 1);
  const last = Math.max(0, ...ids.filter((id) => id !== END).map((id) => layer.get(id)!));
  layer.set(END, last + 1);
  return layer;
}

function orderLayers(
  ids: readonly string[],
  forward: readonly LayoutEdge[],
  layer: Map<string, number>,
): string[][] {
  const count = Math.max(...layer.values()) + 1;
  const rows: string[][] = Array.from({ length: count }, () => []);
  for (const id of ids) rows[layer.get(id)!]!.push(id);
  const position = () => {
    const pos = new Map<string, number>();
    for (const row of rows) for (const [i, id] of row.entries()) pos.set(id, (i + 1) / (row.length + 1));
    return pos;
  };
  const sweep = (l: number, neighbours: (id: string) => string[]) => {
    const pos = position();
    const weight = (id: string) => {
      const ns = neighbours(id);
      return ns.length === 0 ? pos.get(id)! : ns.reduce((s, n) => s + pos.get(n)!, 0) / ns.length;
    };
    const row = rows[l]!;
    const weights = new Map(row.map((id) => [id, weight(id)]));
    row.sort((a, b) => weights.get(a)! - weights.get(b)!);
  };
  const preds = (id: string) => forward.filter((e) => e.to === id).map((e) => e.from);
  const succs = (id: string) => forward.filter((e) => e.from === id).map((e) => e.to);
  for (let round = 0; round < 4; round++) {
    for (let l = 1; l < count; l++) sweep(l, preds);
    for (let l = count - 2; l >= 0; l--) sweep(l, succs);
  }
  return rows;
}

function route(edge: LayoutEdge, a: PlacedNode, b: PlacedNode, back: boolean): PlacedEdge {
  if (!back && b.layer > a.layer) {
    const x1 = a.x + a.width / 2;
    const y1 = a.y + a.height;
    const x2 = b.x + b.width / 2;
    const y2 = b.y;
    const bend = Math.max(18, (y2 - y1) / 2);
    return {
      ...edge,
      back,
      path: `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`,
      mid: { x: (x1 + x2) / 2, y: (y1 + y2) / 2 },
    };
  }
  if (a.id === b.id) {
    const x = a.x + a.width;
    const y = a.y + a.height / 2;
    return {
      ...edge,
      back: true,
      path: `M${x},${y - 8} C${x + 34},${y - 28} ${x + 34},${y + 28} ${x + 4},${y + 8}`,
      mid: { x: x + 30, y },
    };
  }
  // Loops go out to the right and come back into the target's right side.
  const x1 = a.x + a.width;
  const y1 = a.y + a.height / 2;
  const x2 = b.x + b.width;
  const y2 = b.y + b.height / 2;
  const out = Math.max(x1, x2) + 40;
  return {
    ...edge,
    back: true,
    path: `M${x1},${y1} C${out},${y1} ${out},${y2} ${x2 + 6},${y2}`,
    mid: { x: out - 8, y: (y1 + y2) / 2 },
  };
}
