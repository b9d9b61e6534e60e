import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { bundledServerNames } from "../../mcp/bundled.js";

const TIMEOUTS = { weather: 5_000, filesystem: 10_000, database: 15_000 } as const;

import { UsageError } from "../exit.js";

const EXAMPLE = `import { defineState, END, START, StateGraph, append, value } from "baton";

// A first workflow: two greetings in parallel, joined, then a summary.
const State = defineState({ name: value("world"), lines: append<string>(), summary: value("") });

export default new StateGraph(State)
  .addNode("hello", (s) => ({ lines: \`hello, \${s.name}\` }))
  .addNode("bonjour", (s) => ({ lines: \`bonjour, \${s.name}\` }))
  .addNode("summarise", (s) => ({ summary: s.lines.join(" / ") }))
  .addEdge(START, "hello")
  .addEdge(START, "bonjour")
  .addEdge(["hello", "bonjour"], "summarise")
  .addEdge("summarise", END)
  .compile({ name: "hello" });
`;

/** `baton init`: a `baton.config.json` with the bundled MCP servers and an example workflow. */
export async function initCommand(options: { force?: boolean }): Promise<number> {
  const config = resolve("baton.config.json");
  const workflow = resolve("hello.workflow.ts");
  for (const file of [config, workflow]) {
    if (existsSync(file) && !options.force) throw new UsageError(`${file} exists; use --force to overwrite`);
  }
  // Portable entries: `bundled` names resolve to this installation's servers wherever it lives.
  const servers = Object.fromEntries(
    bundledServerNames.map((name) => [name, { bundled: name, timeoutMs: TIMEOUTS[name] }]),
  );
  writeFileSync(config, `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`);
  writeFileSync(workflow, EXAMPLE);
  process.stdout.write(`wrote ${config}\nwrote ${workflow}\nrun it: baton run ${workflow}\n`);
  return 0;
}
