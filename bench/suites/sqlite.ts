/**
 * Durable runs: Baton on its SQLite store against LangGraph.js with `SqliteSaver`
 * (@langchain/langgraph-checkpoint-sqlite), both file-backed in a temp folder, both WAL with the
 * same `synchronous` setting, both durable after every step (LangGraph `durability: "sync"`).
 * Same graph shapes as the engine suite, plus the bytes on disk after a 200-step run.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Annotation,
  END as LG_END,
  START as LG_START,
  StateGraph as LGStateGraph,
} from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { append, defineState, END, START, StateGraph, value } from "../../src/index.js";
import { openSqliteStore, type SqliteStore } from "../../src/stores/sqlite/index.js";
import { compare, type Suite } from "../harness.js";

const SEQ = 500;
const RUNS = 1000;
const STORAGE_STEPS = 200;
const ITEM = "x".repeat(1024);

type Sync = "NORMAL" | "FULL";
const dir = mkdtempSync(join(tmpdir(), "baton-bench-sqlite-"));
let files = 0;
const dbFile = (who: string) => join(dir, `${who}-${++files}.db`);

const batonState = () => defineState({ n: value(0), items: append<number | string>() });
const lgState = Annotation.Root({
  n: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  items: Annotation<Array<number | string>, number | string | Array<number | string>>({
    reducer: (a, b) => a.concat(b),
    default: () => [],
  }),
});
type LgState = typeof lgState.State;
type LgUpdate = typeof lgState.Update;
interface LgConfig {
  configurable: { thread_id: string };
  recursionLimit?: number;
  durability: "sync";
}
// LangGraph's builder types track every node name added; a loop-built graph cannot be typed that way.
type LgBuilder = {
  addNode(name: string, fn: (s: LgState) => LgUpdate): LgBuilder;
  addEdge(from: string | string[], to: string): LgBuilder;
  addConditionalEdges(from: string, route: (s: LgState) => string): LgBuilder;
  compile(options: { checkpointer: SqliteSaver }): {
    invoke(input: LgUpdate, config: LgConfig): Promise<LgState>;
  };
};
const lgGraph = () => new LGStateGraph(lgState) as unknown as LgBuilder;

function batonStore(sync: Sync): SqliteStore {
  return openSqliteStore(dbFile("baton"), { durability: sync === "FULL" ? "full" : "normal" });
}

function lgSaver(sync: Sync): SqliteSaver {
  const db = new Database(dbFile("langgraph"));
  // The saver switches to WAL itself; give it the same synchronous level as Baton.
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${sync}`);
  return new SqliteSaver(db);
}

const thread = (limit?: number): LgConfig => ({
  configurable: { thread_id: globalThis.crypto.randomUUID() },
  durability: "sync",
  ...(limit ? { recursionLimit: limit } : {}),
});

function seqGraphs(store: SqliteStore, saver: SqliteSaver) {
  const baton = new StateGraph(batonState());
  const lg = lgGraph();
  for (let i = 0; i < SEQ; i++) {
    baton.addNode(`s${i}`, (s) => ({ n: s.n + 1 })).addEdge(i === 0 ? START : `s${i - 1}`, `s${i}`);
    lg.addNode(`s${i}`, (s) => ({ n: s.n + 1 })).addEdge(i === 0 ? LG_START : `s${i - 1}`, `s${i}`);
  }
  baton.addEdge(`s${SEQ - 1}`, END);
  lg.addEdge(`s${SEQ - 1}`, LG_END);
  return { baton: baton.compile({ store, stepLimit: SEQ + 10 }), lg: lg.compile({ checkpointer: saver }) };
}

/** Three branches from START, joined into `agg` (the engine suite's runs3 shape). */
function fanGraphs(store: SqliteStore, saver: SqliteSaver) {
  const fan = ["b0", "b1", "b2"];
  const baton = new StateGraph(batonState());
  const lg = lgGraph();
  fan.forEach((name, i) => {
    baton.addNode(name, () => ({ items: i })).addEdge(START, name);
    lg.addNode(name, () => ({ items: i })).addEdge(LG_START, name);
  });
  baton
    .addNode("agg", (s) => ({ n: s.items.length }))
    .addEdge(fan, "agg")
    .addEdge("agg", END);
  lg.addNode("agg", (s) => ({ n: s.items.length }))
    .addEdge(fan, "agg")
    .addEdge("agg", LG_END);
  return { baton: baton.compile({ store }), lg: lg.compile({ checkpointer: saver }) };
}

/** A loop that appends a 1 KiB item per step, 200 times. */
function appendGraphs(store: SqliteStore, saver: SqliteSaver) {
  const more = (s: { items: unknown[] }) => s.items.length < STORAGE_STEPS;
  const baton = new StateGraph(batonState())
    .addNode("add", () => ({ items: ITEM }))
    .addEdge(START, "add")
    .addConditionalEdges("add", (s) => (more(s) ? "add" : END))
    .compile({ store });
  const lg = lgGraph()
    .addNode("add", () => ({ items: ITEM }))
    .addEdge(LG_START, "add")
    .addConditionalEdges("add", (s) => (more(s) ? "add" : LG_END))
    .compile({ checkpointer: saver });
  return { baton, lg };
}

/** The database and its WAL, as they sit on disk. */
function bytesOnDisk(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += statSync(file).size;
    } catch {
      // No WAL left: closing the last connection checkpoints it into the database and removes it.
    }
  }
  return total;
}

function check(label: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${label}: expected ${expected}, got ${actual}`);
}

async function seqRow(sync: Sync, runs: number) {
  const store = batonStore(sync);
  const saver = lgSaver(sync);
  const { baton, lg } = seqGraphs(store, saver);
  check("seq500-sqlite baton", (await baton.invoke({})).n, SEQ);
  check("seq500-sqlite langgraph", (await lg.invoke({}, thread(SEQ + 10))).n, SEQ);
  const row = await compare(
    () => baton.invoke({}),
    () => lg.invoke({}, thread(SEQ + 10)),
    runs,
  );
  await store.close();
  saver.db.close();
  const perStep = (ms: number) => `${((ms / SEQ) * 1000).toFixed(0)} µs`;
  return {
    ...row,
    synchronous: sync,
    note: `per durable step: Baton ${perStep(row.baton_ms)}, LangGraph ${perStep(row.langgraph_ms)}`,
  };
}

export default (async (report) => {
  try {
    report({ shape: "seq500-sqlite", ...(await seqRow("NORMAL", 7)) });
    {
      const store = batonStore("NORMAL");
      const saver = lgSaver("NORMAL");
      const { baton, lg } = fanGraphs(store, saver);
      check("runs3-sqlite baton", (await baton.invoke({})).n, 3);
      check("runs3-sqlite langgraph", (await lg.invoke({}, thread())).n, 3);
      const many = async (invoke: () => Promise<unknown>) => {
        for (let i = 0; i < RUNS; i++) await invoke();
      };
      const row = await compare(
        () => many(() => baton.invoke({})),
        () => many(() => lg.invoke({}, thread())),
        5,
      );
      await store.close();
      saver.db.close();
      report({ shape: "runs3-sqlite", ...row, synchronous: "NORMAL", note: `${RUNS} durable runs in a row` });
    }
    report({ shape: "seq500-sqlite-full", ...(await seqRow("FULL", 5)) });
    {
      const store = batonStore("NORMAL");
      const saver = lgSaver("NORMAL");
      const { baton, lg } = appendGraphs(store, saver);
      check("storage200 baton", (await baton.invoke({})).items.length, STORAGE_STEPS);
      check(
        "storage200 langgraph",
        (await lg.invoke({}, thread(STORAGE_STEPS + 10))).items.length,
        STORAGE_STEPS,
      );
      await store.close();
      saver.db.close();
      const baton_bytes = bytesOnDisk(store.path);
      const langgraph_bytes = bytesOnDisk(saver.db.name);
      report({
        shape: "storage200",
        baton_bytes,
        langgraph_bytes,
        ratio: langgraph_bytes / baton_bytes,
        note: `${STORAGE_STEPS} steps × 1 KiB appended; database + WAL after close`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}) satisfies Suite;
