import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import {
  describeWithPostgres,
  dropSchema,
  openTestStore,
  PG_URL,
  testSchema,
} from "../stores/postgres-helpers.js";
import { sampleLeases, sleep, until } from "./helpers.js";
import {
  BIN,
  cleanEnv,
  type LoggedEvent,
  REPO,
  requireBuild,
  schemaUrl,
  startWorker,
  type WorkerProcess,
} from "./processes.js";

/**
 * The scale-out contract, with real processes and real SIGKILL: `baton worker` processes on one
 * PostgreSQL schema, killed at random and replaced while 500 submitted runs go through. Every node
 * appends its idempotency key to an outside ledger table before it returns, so the ledger shows every
 * execution, including those whose result was never stored.
 */
const describePg = await describeWithPostgres("baton worker processes (workers.int.test.ts)");

const RUNS = Number(process.env.CLUSTER_RUNS ?? 500);
const LIMITED = 3;
const CHAIN = join(REPO, "test/fixtures/cluster-chain.ts");
const FANOUT = join(REPO, "test/fixtures/cluster-fanout.ts");

describePg("baton worker processes", () => {
  const schema = testSchema("procs");
  const dir = mkdtempSync(join(tmpdir(), "baton-cluster-"));
  const events: LoggedEvent[] = [];
  const alive = new Set<WorkerProcess>();
  const killed = new Map<number, number>();
  let store: PostgresStore;
  let db: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    requireBuild();
    store = await openTestStore(schema, 4);
    await store.pool.query(
      `CREATE TABLE "${schema}".ledger (key text NOT NULL, worker text NOT NULL, nonce text NOT NULL,
         at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    db = schemaUrl(PG_URL, schema);
    env = { CLUSTER_LEDGER_URL: PG_URL, CLUSTER_LEDGER_TABLE: `"${schema}".ledger` };
  });
  afterAll(async () => {
    for (const w of alive) w.proc.kill("SIGKILL");
    await store?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  const baton = (...args: string[]) =>
    execFileSync(process.execPath, [BIN, ...args, "--db", db], {
      cwd: dir,
      env: cleanEnv(env),
      encoding: "utf8",
    });
  const spawnWorker = async (...extra: string[]) => {
    const w = startWorker(
      [
        "--db",
        db,
        "--workflow",
        CHAIN,
        FANOUT,
        "--lease-ms",
        "2000",
        "--poll-ms",
        "200",
        "--concurrency",
        "8",
        ...extra,
      ],
      { cwd: dir, env, sink: (e) => events.push(e) },
    );
    alive.add(w);
    w.exited.then(() => alive.delete(w));
    await w.ready;
    if (w.proc.exitCode !== null) throw new Error(`worker exited at start: ${w.stderr()}`);
    return w;
  };
  const kill = (w: WorkerProcess) => {
    killed.set(w.pid, Date.now());
    w.proc.kill("SIGKILL");
    alive.delete(w);
  };
  /** `pid runId` for runs, `pid runId:sendIndex` for step tasks, of every lease a live worker lost. */
  const lostLeases = () =>
    new Set(
      events.flatMap((e) => {
        if (e.type === "run_lost") return [`${e.pid} ${e.runId}`];
        if (e.type === "task_lost") return [`${e.pid} ${e.runId}:${String(e.taskId).split("#")[1]}`];
        return [];
      }),
    );
  const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

  it(`runs ${RUNS} submitted runs to completion exactly once while workers are killed and replaced`, async () => {
    await Promise.all([1, 2, 3].map(() => spawnWorker()));
    expect(baton("queue", "limited", "--concurrency", String(LIMITED)).trim()).toBe(
      `queue limited: at most ${LIMITED} runs at once`,
    );
    // A few through the command, the rest straight into the store (500 processes would take minutes).
    const first = baton("submit", CHAIN).trim();
    const limitedFirst = baton("submit", CHAIN, "--queue", "limited").trim();
    const { graphHash } = (await store.getRun(first))!;
    const ids = [first, limitedFirst];
    for (let i = ids.length; i < RUNS; i++) {
      const { run } = await store.submitRun({
        id: `run-${String(i).padStart(3, "0")}`,
        graph: "cluster-chain",
        graphHash,
        status: "pending",
        input: {},
        queue: i % 2 ? "limited" : "default",
      });
      ids.push(run.id);
    }

    const leases = sampleLeases(store, schema, "limited", 20);
    const remaining = async () => {
      const { rows } = await store.pool.query(
        `SELECT count(*)::int AS n FROM "${schema}".runs WHERE status <> 'completed'`,
      );
      return rows[0].n as number;
    };
    // Chaos: every 0.3–0.8 s, SIGKILL a random worker and start a new one, until all runs are done.
    // The new one is not waited for: it may be killed itself before it has claimed anything.
    const deadline = Date.now() + 120_000;
    const starting: Array<Promise<unknown>> = [];
    while ((await remaining()) > 0) {
      if (Date.now() > deadline) throw new Error(`runs left after 120 s: ${await remaining()}`);
      await sleep(300 + Math.random() * 500);
      if ((await remaining()) === 0) break;
      if (alive.size >= 3) kill(pick([...alive]));
      starting.push(spawnWorker().catch(() => undefined));
    }
    await Promise.all(starting);
    const maxLimited = await leases.stop();
    const stopping = [...alive];
    for (const w of stopping) w.proc.kill("SIGTERM");
    for (const w of stopping) expect((await w.exited).code).toBe(0);

    // Every run completed.
    const runs = await store.listRuns({ limit: RUNS + 10 });
    expect(runs.filter((r) => r.status === "completed")).toHaveLength(RUNS);
    expect(killed.size).toBeGreaterThanOrEqual(3);
    // ...and completed once: no run was finished by two workers. (A worker killed between storing
    // the status and printing its line leaves a run with no line at all.)
    const completions = new Map<string, number>();
    for (const e of events)
      if (e.type === "run_finished" && e.status === "completed")
        completions.set(e.runId as string, (completions.get(e.runId as string) ?? 0) + 1);
    expect([...completions.values()].every((n) => n === 1)).toBe(true);
    expect(completions.size).toBeGreaterThanOrEqual(RUNS - killed.size);
    // Runs were taken over from dead workers.
    const takeovers = events.filter((e) => e.type === "run_claimed" && e.takenOverFrom !== undefined);
    expect(takeovers.length).toBeGreaterThan(0);

    // No finished node ran twice: each stored record's nonce is in the ledger, and any other
    // execution of the same key came from a worker SIGKILLed while it was in flight.
    const { rows: ledger } = await store.pool.query<{ key: string; worker: string; nonce: string; at: Date }>(
      `SELECT key, worker, nonce, at FROM "${schema}".ledger`,
    );
    const byKey = new Map<string, typeof ledger>();
    for (const row of ledger) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
    const lost = lostLeases();
    let repeated = 0;
    for (const id of ids) {
      const records = (await store.listTasks(id)).filter((r) => r.step > 0);
      expect(records.map((r) => r.node)).toEqual(["a", "b", "c"]);
      for (const r of records) {
        const { k, n } = r.writes![0]![1] as { k: string; n: string };
        const entries = byKey.get(k) ?? [];
        expect(entries.filter((e) => e.nonce === n)).toHaveLength(1);
        for (const other of entries.filter((e) => e.nonce !== n)) {
          repeated++;
          const killedAt = killed.get(Number(other.worker));
          const excused =
            lost.has(`${other.worker} ${id}`) ||
            (killedAt !== undefined && other.at.getTime() <= killedAt + 50);
          expect(excused, `${k} ran again after it finished on ${other.worker}`).toBe(true);
        }
      }
    }
    expect(ledger.length).toBe(RUNS * 3 + repeated);
    // The queue limit held across all workers at every sample, and was reached.
    expect(maxLimited).toBe(LIMITED);
    console.info(
      `cluster: ${RUNS} runs, ${killed.size} workers killed, ${takeovers.length} takeovers, ` +
        `${repeated} in-flight nodes ran again, ${lost.size} leases lost by live workers, ` +
        `max ${maxLimited} live leases in a queue limited to ${LIMITED}`,
    );
  }, 180_000);

  it("spreads a 1,000-item Send over the workers, and joins once even when its driver is killed mid-step", async () => {
    await Promise.all([1, 2, 3].map(() => spawnWorker("--task-concurrency", "16")));
    const id = baton("submit", FANOUT, "--input", '{"count":1000}').trim();
    const distributed = await until(async () =>
      events.find((e) => e.type === "step_distributed" && e.runId === id),
    );
    // Kill the driver mid-step: once items have started to land, long before all 1,000 have.
    await until(async () => {
      const { rows } = await store.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".ledger WHERE key LIKE $1`,
        [`${id}:item:%`],
      );
      return rows[0]!.n > 0 ? true : undefined;
    });
    const driver = [...alive].find((w) => w.pid === distributed.pid)!;
    kill(driver);
    await spawnWorker("--task-concurrency", "16");
    const run = await until(async () => {
      const r = await store.getRun(id);
      return r && r.status !== "running" && r.status !== "pending" ? r : undefined;
    }, 60_000);
    expect(run.status).toBe("completed");
    const { rows } = await store.pool.query<{ key: string; worker: string }>(
      `SELECT key, worker FROM "${schema}".ledger WHERE key LIKE $1`,
      [`${id}:%`],
    );
    const items = rows.filter((r) => r.key.includes(":item:"));
    expect(new Set(items.map((r) => r.key)).size).toBe(1000);
    // Each item and the join ran once, but for runs in flight on the killed driver's worker (or on a
    // worker that lost that task's lease: a loaded machine may delay a heartbeat past the lease).
    const lost = lostLeases();
    const unexcused = new Map<string, number>();
    for (const r of rows) {
      const task = r.key.includes(":item:")
        ? `${r.key.split(":")[0]}:${r.key.split(":")[3]}`
        : r.key.split(":")[0];
      if (Number(r.worker) === driver.pid || lost.has(`${r.worker} ${task}`)) continue;
      unexcused.set(r.key, (unexcused.get(r.key) ?? 0) + 1);
    }
    expect(Math.max(...unexcused.values())).toBe(1);
    const join = rows.find((r) => r.key.includes(":join:"))!;
    expect(unexcused.get(join.key)).toBe(1);
    expect(new Set(items.map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
    const state = JSON.parse(baton("show", id, "--workflow", FANOUT, "--json")) as {
      state: { joined: string[] };
    };
    expect(state.state.joined).toEqual(["1000/1000"]);
    const takeover = events.find((e) => e.type === "run_claimed" && e.runId === id && e.takenOverFrom);
    expect(takeover).toBeDefined();
    const stopping = [...alive];
    for (const w of stopping) w.proc.kill("SIGTERM");
    for (const w of stopping) expect((await w.exited).code).toBe(0);
  }, 90_000);

  it("on SIGTERM, gives work in flight back after the grace period and exits 0; another worker takes it at once", async () => {
    const leaving = await spawnWorker("--grace-ms", "300", "--task-concurrency", "2");
    const id = baton("submit", FANOUT, "--input", '{"count":600}').trim();
    await until(async () => events.find((e) => e.type === "step_distributed" && e.runId === id));
    const staying = await spawnWorker("--task-concurrency", "8");
    const t0 = Date.now();
    leaving.proc.kill("SIGTERM");
    expect((await leaving.exited).code).toBe(0);
    expect(events.some((e) => e.type === "run_released" && e.runId === id && e.pid === leaving.pid)).toBe(
      true,
    );
    // Given back, not left to expire: taken well before the 2 s lease would have run out.
    const taken = await until(async () =>
      events.find((e) => e.type === "run_claimed" && e.runId === id && e.pid === staying.pid),
    );
    expect(taken.at - t0).toBeLessThan(1_500);
    const run = await until(async () => {
      const r = await store.getRun(id);
      return r && (r.status === "completed" || r.status === "failed") ? r : undefined;
    }, 60_000);
    expect(run.status).toBe("completed");
    staying.proc.kill("SIGTERM");
    expect((await staying.exited).code).toBe(0);
  }, 60_000);
});
