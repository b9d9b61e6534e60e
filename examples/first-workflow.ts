import { append, defineState, END, START, StateGraph, value } from "baton";

const State = defineState({ topic: value(""), notes: append<string>(), summary: value("") });

const graph = new StateGraph(State)
  .addNode("facts", async (s) => ({ notes: `facts about ${s.topic}` }))
  .addNode("opinions", async (s) => ({ notes: `opinions on ${s.topic}` }))
  .addNode("summarise", (s) => ({ summary: s.notes.join(" + ") }))
  .addEdge(START, "facts")
  .addEdge(START, "opinions") // facts and opinions run at once
  .addEdge(["facts", "opinions"], "summarise") // a join: waits for both
  .addEdge("summarise", END)
  .compile(); // runs are kept in .baton/baton.db

const result = await graph.invoke({ topic: "workflows" });
console.log(result.summary); // facts about workflows + opinions on workflows
