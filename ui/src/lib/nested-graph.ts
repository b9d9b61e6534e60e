/**
 * Subgraph nodes drawn as boxes holding their own graphs: each open subgraph node is laid out as a
 * node as big as its inner drawing (plus a header), and its inner graph is laid out the same way,
 * all the way down. A closed one is an ordinary node. Inner nodes take their status from the
 * nested history (`/history?nested=1`): each entry's `level` says which subgraph run it is from.
 */
import type { GraphView, NestedHistoryEvent } from "../../../src/http/api-types.js";
import { type Layout, type LayoutEdge, layoutGraph, nodeWidth, SIZES } from "./layout.js";
import type { NodeStatus } from "./overlay.js";

/** The header strip of an open subgraph box (its name and its toggle). */
export const BOX_HEADER = 28;

/** How much wider a closed subgraph node is than a plain one: room for its toggle. */
export const TOGGLE_ROOM = 24;

/** A node path (`review/deep`) as one string: the key of a subgraph box or an inner node. */
export const pathKey = (path: readonly string[]) => path.join("/");

export interface NestedLayout {
  readonly graph: GraphView;
  /** The subgraph node path of this level (`[]` for the run's own graph). */
  readonly path: readonly string[];
  readonly layout: Layout;
  /** The open subgraph nodes of this level, each with its inner drawing. */
  readonly inner: ReadonlyMap<string, NestedLayout>;
}

/** Lay the graph out with its open subgraph nodes (those not in `collapsed`) as boxes. */
export function nestedLayout(
  graph: GraphView,
  collapsed: ReadonlySet<string>,
  extra: readonly LayoutEdge[] = [],
  path: readonly string[] = [],
): NestedLayout {
  const inner = new Map<string, NestedLayout>();
  for (const node of graph.nodes) {
    const at = [...path, node.name];
    if (node.subgraph && !collapsed.has(pathKey(at)))
      inner.set(node.name, nestedLayout(node.subgraph, collapsed, [], at));
  }
  const sizes = new Map<string, { width: number; height: number }>();
  for (const node of graph.nodes) {
    if (!node.subgraph) continue;
    const open = inner.get(node.name);
    sizes.set(
      node.name,
      open
        ? { width: open.layout.width, height: open.layout.height + BOX_HEADER }
        : { width: nodeWidth(node.name) + TOGGLE_ROOM, height: SIZES.nodeHeight },
    );
  }
  return { graph, path, inner, layout: layoutGraph(graph, extra, sizes) };
}

/** Every subgraph node path of the graph, outermost first. */
export function subgraphPaths(graph: GraphView, path: readonly string[] = []): string[] {
  return graph.nodes.flatMap((n) =>
    n.subgraph ? [pathKey([...path, n.name]), ...subgraphPaths(n.subgraph, [...path, n.name])] : [],
  );
}

export interface InnerNodeState {
  readonly status: NodeStatus | "cancelled";
  readonly attempts: number;
}

const OUTCOME: Record<string, InnerNodeState["status"]> = {
  succeeded: "succeeded",
  continued: "continued",
  failed: "failed",
  retrying: "retrying",
  interrupted: "interrupted",
  waiting: "interrupted",
  cancelled: "cancelled",
  stopped: "cancelled",
};

/** Inner nodes' status by path (`review/draft`), from the nested history's attempts (the last one counts). */
export function innerNodeStates(events: readonly NestedHistoryEvent[]): Map<string, InnerNodeState> {
  const out = new Map<string, InnerNodeState>();
  for (const e of events) {
    if (e.level.length === 0) continue;
    const key = "node" in e && typeof e.node === "string" ? pathKey([...e.level, e.node]) : undefined;
    if (!key) continue;
    const before = out.get(key);
    if (e.type === "attempt")
      out.set(key, {
        status: OUTCOME[e.outcome] ?? "failed",
        attempts: Math.max(before?.attempts ?? 0, e.attempt),
      });
    else if (e.type === "interrupt_asked")
      out.set(key, { status: "interrupted", attempts: before?.attempts ?? 0 });
  }
  return out;
}

/** `["review", "deep"]` -> `review › deep ›`: the label of an entry from a subgraph run. */
export const levelLabel = (level: readonly string[]) => level.map((n) => `${n} ›`).join(" ");
