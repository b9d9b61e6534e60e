import { END, START } from "./constants.js";
import type { GraphSpec } from "./types.js";

const id = (name: string) =>
  name === START ? "__start__" : name === END ? "__end__" : name.replace(/[^\w]/g, "_");

/** Draw the graph as a Mermaid flowchart: solid edges, dotted router paths, joins through a ⊕ point. */
export function toMermaid(spec: GraphSpec): string {
  const lines = ["flowchart TD", `  ${id(START)}([start])`];
  for (const name of spec.nodes.keys()) lines.push(`  ${id(name)}[${JSON.stringify(name)}]`);
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
