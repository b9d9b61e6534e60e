import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { RunRecord } from "../../src/engine/records.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import {
  describeWithPostgres,
  dropSchema,
  openTestStore,
  PG_URL,
  testSchema,
} from "../stores/postgres-helpers.js";
import { until } from "./helpers.js";
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
 * Child runs and subgraphs across real `baton worker` processes on one PostgreSQL schema: a parent
 * fans out children with `ctx.runChild("fanout-child")`; each child sleeps, is let go by the worker
 * that started it, and is claimed by whichever worker is free when it is due. The outside ledger
 * (test/fixtures/child-fanout-flow.ts) says which node really ran, how often, and in which process.
 */
const describePg = await describeWithPostgres("child runs across baton workers");

const FANOUT = join(REPO, "test/fixtures/child-fanout-flow.ts");
const SUBFLOW = join(REPO, "test/fixtures/subgraph-nap-flow.ts");
const CHILD_NODES = ["start", "nap", "finish"];

interface Line {
  run: string;
  node: string;
  pid: number;
  at: number;
}

describePg("child runs across baton workers (PostgreSQL)", () => {
  const schema = testSchema("childw");
  const dir = mkdtempSync(join(tmpdir(), "baton-child-workers-"));
  const events: LoggedEvent[] = [];
  const alive = new Set<WorkerProcess>();
  let store: PostgresStore;
  let db: string;
  let ledger: string;
  let tests = 0;

  beforeAll(async () => {
    requireBuild();
    store = await openTestStore(schema, 4);
    db = schemaUrl(PG_URL, schema);
  });
  afterEach(async () => {
    const stopping = [...alive];
    for (const w of stopping) w.proc.kill("SIGTERM");
    for (const w of stopping) await w.exited;
  });
  afterAll(async () => {
    for (const w of alive) w.proc.kill("SIGKILL");
    await store?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh ledger for each test. */
  const fresh = () => {
    ledger = join(dir, `ledger-${++tests}.jsonl`);
    events.length = 0;
  };
  const lines = (): Line[] =>
    existsSync(ledger)
      ? readFileSync(ledger, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Line)
      : [];
  const baton = (...args: string[]) =>
    execFileSync(process.execPath, [BIN, ...args, "--db", db], {
      cwd: dir,
      env: cleanEnv({ LEDGER_FILE: ledger }),
      encoding: "utf8",
    });
  const spawnWorker = async () => {
    const w = startWorker(
      [
        "--db",
        db,
        "--workflow",
        FANOUT,
        SUBFLOW,
        "--lease-ms",
        "2000",
        "--poll-ms",
        "100",
        "--concurrency",
        "3",
        "--grace-ms",
        "0",
      ],
      { cwd: dir, env: { LEDGER_FILE: ledger }, sink: (e) => events.push(e) },
    );
    alive.add(w);
    w.exited.then(() => alive.delete(w));
    await w.ready;
    if (w.proc.exitCode !== null) throw new Error(`worker exited at start: ${w.stderr()}`);
    return w;
  };
  const ended = (runId: string, ms = 30_000) =>
    until<RunRecord>(
      async () => {
        const r = await store.getRun(runId);
        return r && !["pending", "running", "sleeping", "waiting"].includes(r.status) ? r : undefined;
      },
      ms,
      `run ${runId} to end`,
    );
  const stateOf = <T>(runId: string, file: string) =>
    (JSON.parse(baton("show", runId, "--workflow", file, "--json")) as { state: T }).state;
  /** How often each `run node` ran, by the ledger. */
  const counts = (of: readonly Line[]) => {
    const n = new Map<string, number>();
    for (const l of of) n.set(`${l.run} ${l.node}`, (n.get(`${l.run} ${l.node}`) ?? 0) + 1);
    return n;
  };

  it("fans six children out over two workers: each child is claimed when due by whichever is free", async () => {
    fresh();
    const workers = await Promise.all([spawnWorker(), spawnWorker()]);
    const t0 = Date.now();
    const id = baton("submit", FANOUT, "--input", '{"count":6,"napMs":300}').trim();
    const parent = await ended(id);
    const took = Date.now() - t0;
    expect(parent.status).toBe("completed");
    const children = await store.listRuns({ parent: id });
    expect(children).toHaveLength(6);
    expect(children.every((c) => c.status === "completed" && c.graph === "fanout-child")).toBe(true);
    const state = stateOf<{ results: string[]; gathered: string }>(id, FANOUT);
    expect(state.gathered).toBe("6/6");
    expect([...state.results].sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `started ${i} > napped > finished ${i}`),
    );
    // Every node of every child, and of the parent, ran exactly once.
    const ran = counts(lines());
    for (const c of children) for (const node of CHILD_NODES) expect(ran.get(`${c.id} ${node}`)).toBe(1);
    for (let i = 0; i < 6; i++) expect(ran.get(`${id} one:${i}`)).toBe(1);
    expect(ran.get(`${id} gather`)).toBe(1);
    // The children's woken parts ran on both workers.
    const childIds = new Set(children.map((c) => c.id));
    const woken = lines().filter((l) => childIds.has(l.run) && l.node !== "start");
    const pids = new Set(woken.map((l) => l.pid));
    expect([...pids].sort()).toEqual(workers.map((w) => w.pid).sort());
    const claims = events.filter((e) => e.type === "run_claimed" && childIds.has(e.runId as string));
    // Most are claimed as runs; a parent that wakes while a child is due drives it itself.
    expect(claims.length).toBeGreaterThan(0);
    console.info(
      `child runs: 6 children over 2 workers in ${took} ms; woken parts per worker: ${workers
        .map((w) => woken.filter((l) => l.pid === w.pid).length)
        .join("/")}; ${claims.length} child claims`,
    );
  }, 40_000);
});
