import { append, defineState, END, START, StateGraph, value } from "./src/index.js";
import { openSqliteStore } from "./src/stores/sqlite/index.js";
const sq = openSqliteStore(`/tmp/scratch/p3-${Date.now()}.db`);
const fan = ["b0", "b1", "b2"];
const g = new StateGraph(defineState({ n: value(0), items: append<number>() }));
fan.forEach((name, i) => g.addNode(name, () => ({ items: i })).addEdge(START, name));
g.addNode("agg", (s) => ({ n: s.items.length })).addEdge(fan, "agg").addEdge("agg", END);
const c = g.compile({ store: sq });
const seq = new StateGraph(defineState({ n: value(0) }));
for (let i = 0; i < 500; i++) seq.addNode(`s${i}`, (s) => ({ n: s.n + 1 })).addEdge(i === 0 ? START : `s${i - 1}`, `s${i}`);
seq.addEdge(`s499`, END);
const cs = seq.compile({ store: sq, stepLimit: 600 });
for (let k = 0; k < 3; k++) {
  let t0 = performance.now(); let c0 = process.cpuUsage();
  for (let i = 0; i < 1000; i++) await c.invoke({});
  let cpu = process.cpuUsage(c0);
  console.log("runs3 µs/run wall", (performance.now() - t0).toFixed(0), "cpu", ((cpu.user + cpu.system) / 1000).toFixed(0));
  t0 = performance.now(); c0 = process.cpuUsage();
  for (let i = 0; i < 4; i++) await cs.invoke({});
  cpu = process.cpuUsage(c0);
  console.log("seq500 µs/step wall", ((performance.now() - t0) / 2).toFixed(0), "cpu", ((cpu.user + cpu.system) / 2000).toFixed(0));
}
