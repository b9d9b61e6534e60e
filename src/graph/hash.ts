import type { GraphSpec } from "./types.js";

/**
 * A hash of the graph's structure (nodes, edges, router path maps, state keys): a run records it,
 * and resuming with a different structure is refused unless forced. Node bodies are not part of it.
 */
export function structureHash(spec: GraphSpec): string {
  const shape = {
    nodes: [...spec.nodes.keys()].sort(),
    edges: spec.edges.map((e) => `${e.from.join("+")}>${e.to}`).sort(),
    branches: spec.branches.map((b) => `${b.from}?${JSON.stringify(b.pathMap ?? null)}`).sort(),
    channels: [...spec.channels].sort(),
  };
  // A subgraph's own structure is part of its node's (absent for graphs without any).
  const subgraphs = [...spec.nodes.values()]
    .filter((n) => n.subgraph)
    .map((n) => `${n.name}=${n.subgraph!.graph.hash}`);
  if (subgraphs.length > 0) Object.assign(shape, { subgraphs: subgraphs.sort() });
  return cyrb53(JSON.stringify(shape));
}

/** A small, well-distributed 53-bit string hash (no I/O, no crypto module in the core). */
function cyrb53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}
