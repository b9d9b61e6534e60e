/**
 * Durable runs on PostgreSQL: Baton on `PostgresStore` against DBOS Transact (@dbos-inc/dbos-sdk),
 * in this one process, on the same server and database settings (`synchronous_commit` as the server
 * has it, `on` by default), every step durable in both: a Baton node's record is committed when it
 * finishes, a DBOS step's output is committed before the workflow goes on. Same shapes as the
 * engine suite, plus `commit-floor`: as many bare single-row INSERT commits, one after another, as
 * seq500 has steps, on a connection like Baton's: the limit a durable step per commit can reach.
 * Then the cluster: runs3 submitted to 1, 2 and 4 `baton worker` processes (see `pg-cluster.ts`;
 * `BENCH_PG_CLUSTER=0` leaves it out).
 * Skipped, with a note, when PostgreSQL is unreachable.
 */
import { DBOS } from "@dbos-inc/dbos-sdk";
import pg from "pg";
import { append, defineState, END, START, StateGraph, value } from "../../src/index.js";
import { PostgresStore } from "../../src/stores/postgres/index.js";
import { type BenchRow, compare, median, type Suite } from "../harness.js";
import { clusterRows } from "../pg-cluster.js";

const PG_URL = process.env.BATON_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/baton_bench";
const DBOS_URL = process.env.BATON_BENCH_DBOS_URL ?? "postgres://postgres@127.0.0.1:5432/baton_bench_dbos";
const SEQ = 500;
const FAN = 1000;
const IO_BRANCHES = 100;
const IO_DELAY_MS = 50;
const RUNS = Number(process.env.BENCH_PG_RUNS ?? 1000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const state = () => defineState({ n: value(0), items: append<number>() });

function check(label: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${label}: expected ${expected}, got ${actual}`);
}

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return `PostgreSQL unreachable at ${url} (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Create the bench database when missing (a dedicated one: nothing else lives there). */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

// ---- Baton graphs (the engine suite's shapes, on a PostgreSQL store) ----

function batonSeq(store: PostgresStore) {
  const g = new StateGraph(state());
  names("s", SEQ).forEach((name, i, all) => {
    g.addNode(name, (s) => ({ n: s.n + 1 })).addEdge(i === 0 ? START : all[i - 1]!, name);
  });
  return g.addEdge(`s${SEQ - 1}`, END).compile({ store, stepLimit: SEQ + 10, name: "bench-seq" });
}

function batonFan(
  store: PostgresStore,
  branches: number,
  body: () => Promise<void> | undefined,
  init = false,
) {
  const g = new StateGraph(state());
  const fan = names("b", branches);
  if (init) g.addNode("init", () => ({ n: 0 })).addEdge(START, "init");
  fan.forEach((name, i) => {
    const node = () => {
      const pending = body();
      return pending ? pending.then(() => ({ items: i })) : { items: i };
    };
    g.addNode(name, node).addEdge(init ? "init" : START, name);
  });
  return g
    .addNode("agg", (s) => ({ n: s.items.length }))
    .addEdge(fan, "agg")
    .addEdge("agg", END)
    .compile({ store, name: `bench-fan${branches}${init ? "-init" : ""}` });
}

// ---- DBOS workflows: the same shapes, each node a durable step ----

const dbosSeq = DBOS.registerWorkflow(
  async () => {
    let n = 0;
    for (let i = 0; i < SEQ; i++) n = await DBOS.runStep(() => Promise.resolve(n + 1), { name: `s${i}` });
    return n;
  },
  { name: "bench-seq" },
);

/** Branches started together (DBOS numbers steps by call order), then the join as one more step. */
async function fanOut(branches: number, body: () => Promise<void> | undefined): Promise<number> {
  const items = await Promise.all(
    names("b", branches).map((name, i) =>
      DBOS.runStep(
        async () => {
          await body();
          return i;
        },
        { name },
      ),
    ),
  );
  return DBOS.runStep(() => Promise.resolve(items.length), { name: "agg" });
}

const dbosFan = DBOS.registerWorkflow(() => fanOut(FAN, () => undefined), { name: "bench-fan" });
const dbosFanIo = DBOS.registerWorkflow(() => fanOut(IO_BRANCHES, () => sleep(IO_DELAY_MS)), {
  name: "bench-fan-io",
});
const dbosRuns3 = DBOS.registerWorkflow(
  async () => {
    await DBOS.runStep(() => Promise.resolve(0), { name: "init" });
    return fanOut(3, () => undefined);
  },
  { name: "bench-runs3" },
);

/** `count` bare INSERT commits one after another on one connection: what a commit costs here. */
async function commitFloor(pool: pg.Pool, table: string, count: number): Promise<number> {
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    for (let i = 0; i < count; i++)
      await client.query({ name: "bench_floor", text: `INSERT INTO ${table} (v) VALUES ($1)`, values: [i] });
    return performance.now() - t0;
  } finally {
    client.release();
  }
}

const peerRow = (r: { baton_ms: number; langgraph_ms: number; ratio: number }) => ({
  baton_ms: r.baton_ms,
  peer_ms: r.langgraph_ms,
  ratio: r.ratio,
  peer: "DBOS Transact 5.3.0",
});

export default (async (report) => {
  const skip = await reachable(PG_URL.replace(/\/[^/]*$/, "/postgres"));
  if (skip) return void console.error(`  skipped: ${skip}`);
  await ensureDatabase(PG_URL);
  const schema = `bench_pg_${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const store = await PostgresStore.open({ url: PG_URL, schema });
  const floorPool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const floorTable = `"${schema}".commit_floor`;
  DBOS.setConfig({ name: "baton-bench", systemDatabaseUrl: DBOS_URL, logLevel: "error" });
  await DBOS.launch();
  try {
    const settings = await store.pool.query<{ sc: string; fsync: string }>(
      "SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync",
    );
    const conf = { synchronous_commit: settings.rows[0]!.sc, fsync: settings.rows[0]!.fsync };
    await floorPool.query(`CREATE TABLE ${floorTable} (id bigint GENERATED ALWAYS AS IDENTITY, v int)`);

    const seq = batonSeq(store);
    check("seq500-pg baton", (await seq.invoke({})).n, SEQ);
    check("seq500-pg dbos", await dbosSeq(), SEQ);
    const seqRow = await compare(
      () => seq.invoke({}),
      () => dbosSeq(),
      7,
    );
    const floors: number[] = [];
    for (let i = 0; i < 5; i++) floors.push(await commitFloor(floorPool, floorTable, SEQ));
    const floor_ms = median(floors);
    const perStep = (ms: number) => `${((ms / SEQ) * 1000).toFixed(0)} µs`;
    report({
      shape: "commit-floor",
      baton_ms: floor_ms,
      ratio: 1,
      ...conf,
      note: `${SEQ} bare single-row INSERT commits in a row: ${perStep(floor_ms)} each`,
    } satisfies BenchRow);
    report({
      shape: "seq500-pg",
      ...peerRow(seqRow),
      floor_ms,
      floor_ratio: seqRow.baton_ms / floor_ms,
      ...conf,
      note: `per durable step: Baton ${perStep(seqRow.baton_ms)}, DBOS ${perStep(seqRow.langgraph_ms)}, bare commit ${perStep(floor_ms)}`,
    });

    const fan = batonFan(store, FAN, () => undefined);
    check("fan1000-pg baton", (await fan.invoke({})).n, FAN);
    check("fan1000-pg dbos", await dbosFan(), FAN);
    report({
      shape: "fan1000-pg",
      ...peerRow(
        await compare(
          () => fan.invoke({}),
          () => dbosFan(),
          7,
        ),
      ),
      ...conf,
    });

    const io = batonFan(store, IO_BRANCHES, () => sleep(IO_DELAY_MS));
    check("fan100io-pg baton", (await io.invoke({})).n, IO_BRANCHES);
    check("fan100io-pg dbos", await dbosFanIo(), IO_BRANCHES);
    const ioRow = await compare(
      () => io.invoke({}),
      () => dbosFanIo(),
      15,
    );
    report({
      shape: "fan100io-pg",
      ...peerRow(ioRow),
      ...conf,
      note: `ideal ${IO_DELAY_MS} ms; Baton overhead ${(ioRow.baton_ms - IO_DELAY_MS).toFixed(1)} ms`,
    });

    const runs3 = batonFan(store, 3, () => undefined, true);
    check("runs3-pg baton", (await runs3.invoke({})).n, 3);
    check("runs3-pg dbos", await dbosRuns3(), 3);
    const many = async (invoke: () => Promise<unknown>) => {
      for (let i = 0; i < RUNS; i++) await invoke();
    };
    const runsRow = await compare(
      () => many(() => runs3.invoke({})),
      () => many(() => dbosRuns3()),
      3,
    );
    report({
      shape: "runs3-pg",
      ...peerRow(runsRow),
      ...conf,
      note: `${RUNS} durable runs of init + 3 branches + join in a row: Baton ${(runsRow.baton_ms / RUNS).toFixed(2)} ms a run, DBOS ${(runsRow.langgraph_ms / RUNS).toFixed(2)} ms`,
    });
  } finally {
    await DBOS.shutdown();
    await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await floorPool.end();
    await store.close();
  }
  if (process.env.BENCH_PG_CLUSTER !== "0") await clusterRows(PG_URL, report);
}) satisfies Suite;
