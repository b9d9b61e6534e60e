import { toMermaid } from "../graph/mermaid.js";
import type { GraphSpec } from "../graph/types.js";
import type { AnyCompiledGraph } from "../workflows/types.js";
import type { GraphNodeView, GraphView } from "./api-types.js";

/** A compiled graph as plain JSON: what the dashboard lays out and draws, subgraph nodes with their graphs. */
export function graphView(graph: AnyCompiledGraph): GraphView {
  return specView(graph.name, graph.hash, graph.spec, graph.toMermaid());
}

function specView(name: string, hash: string, spec: GraphSpec, mermaid: string): GraphView {
  const nodes: GraphNodeView[] = [...spec.nodes.values()].map(({ name: node, options, subgraph }) => ({
    name: node,
    ...(options.retry ? { retryAttempts: options.retry.attempts } : {}),
    ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
    compensates: typeof options.compensate === "function",
    onError: options.onError ?? "fail",
    ends: [...(options.ends ?? [])],
    ...(subgraph
      ? {
          subgraph: specView(
            `${name}/${node}`,
            subgraph.graph.hash,
            subgraph.graph.spec,
            toMermaid(subgraph.graph.spec),
          ),
        }
      : {}),
  }));
  return {
    name,
    hash,
    nodes,
    edges: spec.edges.filter((e) => e.from.length === 1).map((e) => ({ from: e.from[0]!, to: e.to })),
    joins: spec.edges.filter((e) => e.from.length > 1).map((e) => ({ from: [...e.from], to: e.to })),
    branches: spec.branches.map((b) => ({ from: b.from, paths: b.pathMap ? { ...b.pathMap } : null })),
    ...(spec.errorKey ? { errorKey: spec.errorKey } : {}),
    mermaid,
  };
}
