import { append, defineState, END, START, StateGraph, value } from "../src/index.js";
const shape = process.argv[2] ?? "fan";
function fan(n: number) {
  const g = new StateGraph(defineState({ n: value(0), items: append<number>() }));
  const fan = Array.from({ length: n }, (_, i) => `b${i}`);
  fan.forEach((name, i) => g.addNode(name, () => ({ items: i })).addEdge(START, name));
  g.addNode("agg", (s) => ({ n: s.items.length })).addEdge(fan, "agg").addEdge("agg", END);
  return g.compile({ store: false });
}
function seq(n: number) {
  const g = new StateGraph(defineState({ n: value(0), items: append<number>() }));
  const steps = Array.from({ length: n }, (_, i) => `s${i}`);
  steps.forEach((name, i) => g.addNode(name, (s) => ({ n: s.n + 1 })).addEdge(i ? steps[i - 1]! : START, name));
  g.addEdge(steps.at(-1)!, END);
  return g.compile({ store: false, stepLimit: n + 10 });
}
const [graph, reps, inner] = shape === "fan" ? [fan(1000), 200, 1] : shape === "seq" ? [seq(500), 300, 1] : [fan(3), 20, 1000];
for (let w = 0; w < 3; w++) await graph.invoke({});
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const t = performance.now();
  for (let i = 0; i < inner; i++) await graph.invoke({});
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(shape, "median ms", times[times.length >> 1]!.toFixed(3));
