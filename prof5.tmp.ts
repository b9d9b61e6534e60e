import { append, defineState, END, START, StateGraph, value } from "./src/index.js";
import { MemoryStore } from "./src/stores/memory.js";
import { openSqliteStore } from "./src/stores/sqlite/index.js";
const fan = ["b0", "b1", "b2"];
const build = (store: any) => {
  const g = new StateGraph(defineState({ n: value(0), items: append<number>() }));
  fan.forEach((name, i) => g.addNode(name, () => ({ items: i })).addEdge(START, name));
  g.addNode("agg", (s) => ({ n: s.items.length })).addEdge(fan, "agg").addEdge("agg", END);
  return g.compile({ store });
};
const sq = openSqliteStore(`/tmp/scratch/p5-${Date.now()}.db`);
for (const [name, store] of [["none", false], ["memory", new MemoryStore()], ["sqlite", sq]] as const) {
  const c = build(store);
  let best = Infinity;
  for (let k = 0; k < 10; k++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await c.invoke({});
    best = Math.min(best, ((performance.now() - t0) / 200) * 1000);
  }
  console.log(name, "µs/run", best.toFixed(0));
}
// raw store ops, same sequence as one run
let best = Infinity;
for (let k = 0; k < 10; k++) {
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    const id = globalThis.crypto.randomUUID();
    await sq.createRun({ id, graph: "g", graphHash: "h", status: "running", input: {} });
    const rec = (step: number, taskId: string) => ({ runId: id, step, taskId, node: taskId, status: "succeeded" as const, attempts: 1, seq: 1, startedAt: 1, finishedAt: 1, writes: [["items", 1]] as const });
    await sq.putTask(rec(0, "__input__"));
    await sq.putCheckpoint({ runId: id, step: 0, next: [{ id: "b0", node: "b0" }, { id: "b1", node: "b1" }, { id: "b2", node: "b2" }], joins: {}, createdAt: 1 });
    await Promise.all([sq.putTask(rec(1, "b0")), sq.putTask(rec(1, "b1")), sq.putTask(rec(1, "b2"))]);
    await sq.putCheckpoint({ runId: id, step: 1, next: [{ id: "agg", node: "agg" }], joins: {}, createdAt: 1 });
    await sq.putTask(rec(2, "agg"));
    await sq.putCheckpoint({ runId: id, step: 2, next: [], joins: {}, createdAt: 1 });
    await sq.updateRun(id, { status: "completed", clear: ["error", "interrupts", "cancelRequested"] });
  }
  best = Math.min(best, ((performance.now() - t0) / 200) * 1000);
}
console.log("raw store sequence µs/run", best.toFixed(0));
