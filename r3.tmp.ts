// runs3 only, 3 times
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END as LG_END, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { append, defineState, END, START, StateGraph, value } from "./src/index.js";
import { openSqliteStore } from "./src/stores/sqlite/index.js";
import { compare } from "./bench/harness.js";
const dir = mkdtempSync(join(tmpdir(), "r3-"));
const store = openSqliteStore(join(dir, "b.db"));
const ldb = new Database(join(dir, "l.db")); ldb.pragma("journal_mode = WAL"); ldb.pragma("synchronous = NORMAL");
const saver = new SqliteSaver(ldb);
const S = Annotation.Root({ n: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }), items: Annotation<number[], number>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
const fan = ["b0", "b1", "b2"];
const b = new StateGraph(defineState({ n: value(0), items: append<number>() }));
const l: any = new LGStateGraph(S);
fan.forEach((name, i) => { b.addNode(name, () => ({ items: i })).addEdge(START, name); l.addNode(name, () => ({ items: i })).addEdge(LG_START, name); });
b.addNode("agg", (s) => ({ n: s.items.length })).addEdge(fan, "agg").addEdge("agg", END);
l.addNode("agg", (s: any) => ({ n: s.items.length })).addEdge(fan, "agg").addEdge("agg", LG_END);
const bg = b.compile({ store }); const lg = l.compile({ checkpointer: saver });
const N = 300;
for (let k = 0; k < 3; k++) {
  const row = await compare(async () => { for (let i = 0; i < N; i++) await bg.invoke({}); }, async () => { for (let i = 0; i < N; i++) await lg.invoke({}, { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" }); }, 3);
  console.log((row.baton_ms / N * 1000).toFixed(0), "µs vs", (row.langgraph_ms / N * 1000).toFixed(0), "µs ratio", row.ratio.toFixed(1));
}
