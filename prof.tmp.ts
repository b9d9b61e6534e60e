import { append, defineState, END, START, StateGraph, value } from "./src/index.js";
import { MemoryStore } from "./src/stores/memory.js";
import { openSqliteStore } from "./src/stores/sqlite/index.js";
const SEQ = 500;
function build(store: any) {
  const g = new StateGraph(defineState({ n: value(0) }));
  for (let i = 0; i < SEQ; i++) g.addNode(`s${i}`, (s) => ({ n: s.n + 1 })).addEdge(i === 0 ? START : `s${i - 1}`, `s${i}`);
  g.addEdge(`s${SEQ - 1}`, END);
  return g.compile({ store, stepLimit: 600 });
}
const sq = openSqliteStore(`/tmp/scratch/p${Date.now()}.db`);
for (const [name, store] of [["none", false], ["memory", new MemoryStore()], ["sqlite", sq]] as const) {
  const g = build(store);
  for (let i = 0; i < 3; i++) await g.invoke({});
  const t: number[] = [];
  for (let i = 0; i < 9; i++) { const t0 = performance.now(); await g.invoke({}); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  console.log(name, t[4].toFixed(1), "ms");
}
// raw statement cost
const r = { runId: "x", step: 1, taskId: "a", node: "a", status: "succeeded" as const, attempts: 1, seq: 1, startedAt: 1, finishedAt: 1, writes: [["n", 1]] as const };
await sq.createRun({ id: "x", graph: "g", graphHash: "h", status: "running", input: {} });
let t0 = performance.now();
for (let i = 0; i < 5000; i++) await sq.putTask({ ...r, step: i });
console.log("putTask µs", ((performance.now() - t0) / 5000 * 1000).toFixed(1));
t0 = performance.now();
for (let i = 0; i < 5000; i++) await sq.putCheckpoint({ runId: "x", step: i, next: [{ id: "a", node: "a" }], joins: {}, createdAt: 1 });
console.log("putCheckpoint µs", ((performance.now() - t0) / 5000 * 1000).toFixed(1));
