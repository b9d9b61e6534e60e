import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { append, defineState, END, START, StateGraph, value } from "baton";

const State = defineState({ topic: value("workflows"), notes: append<string>(), summary: value("") });

const graph = new StateGraph(State)
  .addNode("facts", async (s) => ({ notes: `facts about ${s.topic}` }))
  .addNode("opinions", async (s) => ({ notes: `opinions on ${s.topic}` }))
  .addNode("summarise", (s) => ({ summary: s.notes.join(" + ") }))
  .addEdge(START, "facts")
  .addEdge(START, "opinions") // facts and opinions run at once
  .addEdge(["facts", "opinions"], "summarise") // a join: waits for both
  .addEdge("summarise", END)
  .compile({ name: "first-workflow" }); // runs are kept in .baton/baton.db

export default graph; // what `npx baton run first-workflow.ts` runs

// Only when this file is the program (`npx tsx first-workflow.ts`), not when `baton` imports it:
if (realpathSync(process.argv[1] ?? ".") === fileURLToPath(import.meta.url)) {
  const result = await graph.invoke({ topic: "workflows" });
  console.log(result.summary); // facts about workflows + opinions on workflows
}
