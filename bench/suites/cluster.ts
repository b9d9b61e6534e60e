/**
 * Scale-out on PostgreSQL: real `baton worker` processes (built `dist/`) on a schema of their own.
 * - throughput of a 3-node durable workflow with 1, 2 and 4 workers (ratio: runs/s over 1 worker's);
 * - how soon an idle worker starts a submitted run (submit → claim, through LISTEN/NOTIFY), and how
 *   long a claimed run takes to start executing (claim → engine start: state loaded, step 0 seeded);
 * - how long after a worker is SIGKILLed its run is taken over (goal: within the lease + 1 s).
 * Skipped, with a note, when PostgreSQL is unreachable or `dist/` has no worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { defineState, END, reduce, START, StateGraph } from "../../src/index.js";
import { PostgresStore } from "../../src/stores/postgres/index.js";
import {
  type LoggedEvent,
  requireBuild,
  schemaUrl,
  startWorker,
  type WorkerProcess,
} from "../../test/cluster/processes.js";
import { median, type Suite } from "../harness.js";

const PG_URL = process.env.BATON_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? 1_200);
const LEASE_MS = 2_000;
const WORKFLOW = `
import { defineState, END, reduce, START, StateGraph } from "baton";
const State = defineState({ n: reduce((a, b) => a + b, 0) });
const step = () => ({ n: 1 });
export default (ctx) =>
  new StateGraph(State)
    .addNode("a", step).addNode("b", step).addNode("c", step)
    .addEdge(START, "a").addEdge("a", "b").addEdge("b", "c").addEdge("c", END)
    .compile({ store: ctx.store, name: "bench-chain" });
`;
/** The same graph with nodes that wait 20 ms, as a tool call would: workers, not PostgreSQL, are busy. */
const IO = WORKFLOW.replace(
  "const step = () => ({ n: 1 });",
  "const step = () => new Promise((r) => setTimeout(() => r({ n: 1 }), 20));",
).replace("bench-chain", "bench-io");
const IO_RUNS = Number(process.env.BENCH_CLUSTER_IO_RUNS ?? 600);
const SLOW = WORKFLOW.replace(
  "const step = () => ({ n: 1 });",
  "const step = () => new Promise((r) => setTimeout(() => r({ n: 1 }), 60_000));",
).replace("bench-chain", "bench-slow");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return `PostgreSQL unreachable at ${PG_URL} (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema, its store, worker processes on it, and their events; `close()` removes it all. */
async function cluster(dir: string, label: string) {
  const schema = `bench_cluster_${label}_${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const store = await PostgresStore.open({ url: PG_URL, schema, maxConnections: 4 });
  const db = schemaUrl(PG_URL, schema);
  const events: LoggedEvent[] = [];
  const workers: WorkerProcess[] = [];
  return {
    store,
    events,
    async start(n: number, ...args: string[]) {
      const started = Array.from({ length: n }, () =>
        startWorker(
          [
            "--db",
            db,
            "--workflow",
            join(dir, "chain.ts"),
            join(dir, "io.ts"),
            join(dir, "slow.ts"),
            "--lease-ms",
            String(LEASE_MS),
            ...args,
          ],
          { cwd: dir, env: {}, sink: (e) => events.push(e) },
        ),
      );
      workers.push(...started);
      await Promise.all(started.map((w) => w.ready));
      return started;
    },
    async submit(graph: string, n: number, hash: string, queue = "default") {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = globalThis.crypto.randomUUID();
        await store.submitRun({ id, graph, graphHash: hash, status: "pending", input: {}, queue });
        ids.push(id);
      }
      return ids;
    },
    async close() {
      for (const w of workers) w.proc.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
      await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.close();
    },
  };
}

/** The hash the workers' graph has: the same structure built here (node bodies are not hashed). */
function chainHash(): string {
  const State = defineState({ n: reduce<number>((a, b) => a + b, 0) });
  const step = () => ({ n: 1 });
  return new StateGraph(State)
    .addNode("a", step)
    .addNode("b", step)
    .addNode("c", step)
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ store: false }).hash;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(10);
  }
}

const completed = async (store: PostgresStore) =>
  (await store.pool.query(`SELECT count(*)::int AS n FROM ${store.schema}.runs WHERE status = 'completed'`))
    .rows[0].n as number;

/** Runs per second with `n` workers: the backlog is submitted first, with the queue paused. */
async function throughput(
  dir: string,
  n: number,
  hash: string,
  graph: string,
  runs: number,
  concurrency: number,
) {
  const c = await cluster(dir, `w${n}`);
  try {
    await c.store.setQueueConcurrency("default", 0);
    await c.start(n, "--concurrency", String(concurrency), "--poll-ms", "50");
    await c.submit(graph, runs, hash);
    const t0 = performance.now();
    await c.store.setQueueConcurrency("default", null);
    await until(async () => ((await completed(c.store)) >= runs ? true : undefined));
    return runs / ((performance.now() - t0) / 1000);
  } finally {
    await c.close();
  }
}

/** Throughput with 1, 2 and 4 workers; ratio: runs/s over one worker's. */
async function series(
  dir: string,
  hash: string,
  report: Parameters<Suite>[0],
  o: { shape: string; graph: string; runs: number; concurrency: number; what: string },
): Promise<void> {
  let one = 0;
  for (const n of [1, 2, 4]) {
    const rate = await throughput(dir, n, hash, o.graph, o.runs, o.concurrency);
    one ||= rate;
    report({
      shape: `${o.shape}-${n}w`,
      ratio: rate / one,
      runs_per_s: Math.round(rate),
      note: `${n} worker${n > 1 ? "s" : ""} × ${o.concurrency} runs at once: ${Math.round(rate)} runs/s, ${o.what} (${o.runs} runs)`,
    });
  }
}

export default (async (report) => {
  const skip = await reachable();
  if (skip) return void console.error(`  skipped: ${skip}`);
  try {
    requireBuild();
  } catch (error) {
    return void console.error(`  skipped: ${(error as Error).message}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-cluster-"));
  writeFileSync(join(dir, "chain.ts"), WORKFLOW);
  writeFileSync(join(dir, "io.ts"), IO);
  writeFileSync(join(dir, "slow.ts"), SLOW);
  try {
    const hash = chainHash();
    await series(dir, hash, report, {
      shape: "throughput",
      graph: "bench-chain",
      runs: RUNS,
      concurrency: 16,
      what: "3-node durable workflow, trivial nodes",
    });
    await series(dir, hash, report, {
      shape: "throughput-io",
      graph: "bench-io",
      runs: IO_RUNS,
      concurrency: 4,
      what: "3 nodes each waiting 20 ms",
    });
    await latency(dir, hash, report);
    await takeover(dir, hash, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}) satisfies Suite;

/** Runs submitted one at a time to an idle worker: submit → claim, and claim → engine start. */
async function latency(dir: string, hash: string, report: Parameters<Suite>[0]): Promise<void> {
  const c = await cluster(dir, "latency");
  try {
    await c.start(1, "--concurrency", "4");
    const submitted = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const [id] = await c.submit("bench-chain", 1, hash);
      submitted.set(id!, Date.now());
      await until(async () =>
        c.events.some((e) => e.type === "run_finished" && e.runId === id) ? true : undefined,
      );
      await sleep(20);
    }
    const at = (type: string, id: string) => c.events.find((e) => e.type === type && e.runId === id)!.at;
    const toClaim = [...submitted].map(([id, t]) => at("run_claimed", id) - t);
    const toStart = [...submitted].map(([id]) => at("run_started", id) - at("run_claimed", id));
    report({
      shape: "submit-to-claim",
      ratio: 1,
      median_ms: median(toClaim),
      p95_ms: p95(toClaim),
      note: `idle worker, woken by NOTIFY: median ${median(toClaim)} ms, p95 ${p95(toClaim)} ms`,
    });
    report({
      shape: "claim-to-start",
      ratio: 1,
      median_ms: median(toStart),
      p95_ms: p95(toStart),
      note: `lease taken → engine running (workflow found, step 0 seeded): median ${median(toStart)} ms, p95 ${p95(toStart)} ms`,
    });
  } finally {
    await c.close();
  }
}

/** SIGKILL the worker executing a long run; how long until another worker has taken it over? */
async function takeover(dir: string, hash: string, report: Parameters<Suite>[0]): Promise<void> {
  const c = await cluster(dir, "takeover");
  const times: number[] = [];
  try {
    await c.start(2, "--concurrency", "4");
    for (let i = 0; i < 6; i++) {
      const [id] = await c.submit("bench-slow", 1, hash);
      const claim = await until(async () => c.events.find((e) => e.type === "run_claimed" && e.runId === id));
      // Land the kill anywhere in the heartbeat cycle.
      await sleep(200 + Math.random() * LEASE_MS);
      process.kill(claim.pid, "SIGKILL");
      const killedAt = Date.now();
      const taken = await until(async () =>
        c.events.find((e) => e.type === "run_claimed" && e.runId === id && e.pid !== claim.pid),
      );
      times.push(taken.at - killedAt);
      // Stop the run (its node would wait a minute) and replace the dead worker.
      await c.store.updateRun(id!, { cancelRequested: { compensate: false } });
      await c.start(1, "--concurrency", "4");
    }
    report({
      shape: "takeover",
      ratio: (LEASE_MS + 1_000) / Math.max(...times),
      median_ms: median(times),
      max_ms: Math.max(...times),
      lease_ms: LEASE_MS,
      note: `SIGKILL → run claimed by another worker: median ${median(times)} ms, max ${Math.max(...times)} ms (lease ${LEASE_MS} ms; goal ≤ ${LEASE_MS + 1_000} ms)`,
    });
  } finally {
    await c.close();
  }
}
