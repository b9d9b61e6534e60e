import type { AnyCompiledGraph } from "../workflows/types.js";
import type { GraphNodeView, GraphView } from "./api-types.js";

/** A compiled graph as plain JSON: what the dashboard lays out and draws. */
export function graphView(graph: AnyCompiledGraph): GraphView {
  const { spec } = graph;
  const nodes: GraphNodeView[] = [...spec.nodes.values()].map(({ name, options }) => ({
    name,
    ...(options.retry ? { retryAttempts: options.retry.attempts } : {}),
    ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
    compensates: typeof options.compensate === "function",
    onError: options.onError ?? "fail",
    ends: [...(options.ends ?? [])],
  }));
  return {
    name: graph.name,
    hash: graph.hash,
    nodes,
    edges: spec.edges.filter((e) => e.from.length === 1).map((e) => ({ from: e.from[0]!, to: e.to })),
    joins: spec.edges.filter((e) => e.from.length > 1).map((e) => ({ from: [...e.from], to: e.to })),
    branches: spec.branches.map((b) => ({ from: b.from, paths: b.pathMap ? { ...b.pathMap } : null })),
    ...(spec.errorKey ? { errorKey: spec.errorKey } : {}),
    mermaid: graph.toMermaid(),
  };
}
