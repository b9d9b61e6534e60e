import { END, START } from "./constants.js";
import type { GraphSpec } from "./types.js";

/**
 * Mermaid ids: names with other characters than \w made safe, and kept distinct ("a b" vs "a_b");
 * a subgraph's ids carry its node's id as a prefix, so inner names never clash with outer ones.
 */
function mermaidIds(spec: GraphSpec, prefix: string): (name: string) => string {
  const ids = new Map<string, string>([
    [START, `${prefix}__start__`],
    [END, `${prefix}__end__`],
  ]);
  const taken = new Set(ids.values());
  for (const name of spec.nodes.keys()) {
    const base = `${prefix}${name.replace(/[^\w]/g, "_")}`;
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
    taken.add(candidate);
    ids.set(name, candidate);
  }
  return (name) => ids.get(name) ?? name;
}

const label = (name: string) => name.replaceAll('"', "#quot;");

/**
 * Draw the graph as a Mermaid flowchart: solid edges, dotted router paths, joins through a ⊕ point,
 * and each subgraph node as a box holding its own graph.
 */
export function toMermaid(spec: GraphSpec): string {
  const lines = ["flowchart TD"];
  draw(spec, "", "  ", lines);
  return lines.join("\n");
}

function draw(spec: GraphSpec, prefix: string, indent: string, lines: string[]): void {
  const id = mermaidIds(spec, prefix);
  const line = (text: string) => lines.push(`${indent}${text}`);
  line(`${id(START)}([start])`);
  for (const [name, node] of spec.nodes) {
    if (!node.subgraph) {
      line(`${id(name)}["${label(name)}"]`);
      continue;
    }
    line(`subgraph ${id(name)}["${label(name)}"]`);
    draw(node.subgraph.graph.spec, `${id(name)}__`, `${indent}  `, lines);
    line("end");
  }
  line(`${id(END)}([end])`);
  spec.edges.forEach(({ from, to }, index) => {
    if (from.length === 1) {
      line(`${id(from[0]!)} --> ${id(to)}`);
      return;
    }
    const join = `${prefix}join${index}`;
    line(`${join}(( ))`);
    for (const source of from) line(`${id(source)} --> ${join}`);
    line(`${join} --> ${id(to)}`);
  });
  for (const { from, pathMap } of spec.branches) {
    if (!pathMap) {
      line(`${id(from)} -.->|route| ${id(END)}`);
      continue;
    }
    for (const [key, to] of Object.entries(pathMap)) line(`${id(from)} -.->|${key}| ${id(to)}`);
  }
  for (const node of spec.nodes.values()) {
    for (const to of node.options.ends ?? []) line(`${id(node.name)} -.->|goto| ${id(to)}`);
  }
}
