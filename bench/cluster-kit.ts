/**
 * Real `baton worker` processes (built `dist/`) on a PostgreSQL schema of their own, for the cluster
 * and postgres suites: start workers on a set of workflow files, submit runs, wait for them, and
 * measure runs per second with 1, 2 and 4 workers.
 */
import { join } from "node:path";
import pg from "pg";
import { PostgresStore } from "../src/stores/postgres/index.js";
import { type LoggedEvent, schemaUrl, startWorker, type WorkerProcess } from "../test/cluster/processes.js";
import { median, type Suite } from "./harness.js";

export const LEASE_MS = 2_000;
export type Report = Parameters<Suite>[0];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

export async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return `PostgreSQL unreachable at ${url} (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(10);
  }
}

/** Where the workers run: the database, a folder holding the workflow files, and their names. */
export interface Site {
  readonly url: string;
  readonly dir: string;
  readonly workflows: readonly string[];
}

export type Cluster = Awaited<ReturnType<typeof cluster>>;

/** A schema, its store, worker processes on it, and their events; `close()` removes it all. */
export async function cluster(site: Site, label: string) {
  const schema = `bench_cluster_${label}_${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const store = await PostgresStore.open({ url: site.url, schema, maxConnections: 4 });
  const db = schemaUrl(site.url, schema);
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
            ...site.workflows.map((w) => join(site.dir, w)),
            "--lease-ms",
            String(LEASE_MS),
            ...args,
          ],
          { cwd: site.dir, env: {}, sink: (e) => events.push(e) },
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

const completed = async (store: PostgresStore) =>
  (await store.pool.query(`SELECT count(*)::int AS n FROM ${store.schema}.runs WHERE status = 'completed'`))
    .rows[0].n as number;

/** Runs per second with `n` workers: the backlog is submitted first, with the queue paused. */
async function throughput(site: Site, n: number, o: Workload): Promise<number> {
  const c = await cluster(site, `w${n}`);
  try {
    await c.store.setQueueConcurrency("default", 0);
    await c.start(n, "--concurrency", String(o.concurrency), "--poll-ms", "50");
    await c.submit(o.graph, o.runs, o.hash);
    const t0 = performance.now();
    await c.store.setQueueConcurrency("default", null);
    await until(async () => ((await completed(c.store)) >= o.runs ? true : undefined));
    return o.runs / ((performance.now() - t0) / 1000);
  } finally {
    await c.close();
  }
}

export interface Workload {
  readonly shape: string;
  readonly graph: string;
  readonly hash: string;
  readonly runs: number;
  readonly concurrency: number;
  readonly what: string;
}

/** Throughput with 1, 2 and 4 workers; ratio: runs/s over one worker's. */
export async function series(site: Site, report: Report, o: Workload): Promise<void> {
  let one = 0;
  for (const n of [1, 2, 4]) {
    const rate = await throughput(site, n, o);
    one ||= rate;
    report({
      shape: `${o.shape}-${n}w`,
      ratio: rate / one,
      runs_per_s: Math.round(rate),
      note: `${n} worker${n > 1 ? "s" : ""} × ${o.concurrency} runs at once: ${Math.round(rate)} runs/s, ${o.what} (${o.runs} runs)`,
    });
  }
}

/** Runs submitted one at a time to an idle worker: when it claimed each, and when it started it. */
export async function latencies(site: Site, graph: string, hash: string, count = 40) {
  const c = await cluster(site, "latency");
  try {
    await c.start(1, "--concurrency", "4");
    const submitted = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const [id] = await c.submit(graph, 1, hash);
      submitted.set(id!, Date.now());
      await until(async () =>
        c.events.some((e) => e.type === "run_finished" && e.runId === id) ? true : undefined,
      );
      await sleep(20);
    }
    const at = (type: string, id: string) => c.events.find((e) => e.type === type && e.runId === id)!.at;
    const ids = [...submitted];
    return {
      toClaim: ids.map(([id, t]) => at("run_claimed", id) - t),
      toStart: ids.map(([id]) => at("run_started", id) - at("run_claimed", id)),
      submitToStart: ids.map(([id, t]) => at("run_started", id) - t),
    };
  } finally {
    await c.close();
  }
}

/** A latency row: median and p95 of `xs`, in ms. */
export const latencyRow = (shape: string, xs: number[], what: string) => ({
  shape,
  ratio: 1,
  median_ms: median(xs),
  p95_ms: p95(xs),
  note: `${what}: median ${median(xs)} ms, p95 ${p95(xs)} ms`,
});
