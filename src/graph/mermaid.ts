import { END, START } from "./constants.js";
import type { GraphSpec } from "./types.js";

/** Mermaid ids: names with other characters than \w made safe, and kept distinct ("a b" vs "a_b"). */
function mermaidIds(spec: GraphSpec): (name: string) => string {
  const ids = new Map<string, string>([
    [START, "__start__"],
    [END, "__end__"],
  ]);
  const taken = new Set(ids.values());
  for (const name of spec.nodes.keys()) {
    const base = name.replace(/[^\w]/g, "_");
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
    taken.add(candidate);
    ids.set(name, candidate);
  }
  return (name) => ids.get(name) ?? name;
}

/** Draw the graph as a Mermaid flowchart: solid edges, dotted router paths, joins through a ⊕ point. */
export function toMermaid(spec: GraphSpec): string {
  const id = mermaidIds(spec);
  const lines = ["flowchart TD", `  ${id(START)}([start])`];
  for (const name of spec.nodes.keys()) lines.push(`  ${id(name)}["${name.replaceAll('"', "#quot;")}"]`);
  lines.push(`  ${id(END)}([end])`);
  spec.edges.forEach(({ from, to }, index) => {
    if (from.length === 1) {
      lines.push(`  ${id(from[0]!)} --> ${id(to)}`);
      return;
    }
    const join = `join${index}`;
    lines.push(`  ${join}(( ))`);
    for (const source of from) lines.push(`  ${id(source)} --> ${join}`);
    lines.push(`  ${join} --> ${id(to)}`);
  });
  for (const { from, pathMap } of spec.branches) {
    if (!pathMap) {
      lines.push(`  ${id(from)} -.->|route| ${id(END)}`);
      continue;
    }
    for (const [label, to] of Object.entries(pathMap)) lines.push(`  ${id(from)} -.->|${label}| ${id(to)}`);
  }
  for (const node of spec.nodes.values()) {
    for (const to of node.options.ends ?? []) lines.push(`  ${id(node.name)} -.->|goto| ${id(to)}`);
  }
  return lines.join("\n");
}
