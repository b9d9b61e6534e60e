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
  const spawnWorker = async (concurrency = 3) => {
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
        String(concurrency),
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
    // One run at a time each, and a child's `finish` waits until children napped on two workers:
    // the first woken child keeps its worker busy, so another child can only wake on the other.
    const workers = await Promise.all([spawnWorker(1), spawnWorker(1)]);
    const t0 = Date.now();
    const id = baton("submit", FANOUT, "--input", '{"count":6,"napMs":300,"spread":2}').trim();
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

  it("SIGKILLs the worker running a child mid-way: another takes over, no node that finished runs again", async () => {
    fresh();
    const first = await Promise.all([spawnWorker(), spawnWorker()]);
    const id = baton("submit", FANOUT, "--input", '{"count":6,"napMs":300,"finishMs":1500}').trim();
    // Mid-way: a child woke, its `nap` is stored as done, and it runs `finish` on some worker.
    const inFlight = await until(async () => {
      const done = new Set(lines().map((l) => `${l.run} ${l.node}`));
      for (const c of await store.listRuns({ parent: id })) {
        if (c.status !== "running" || !c.owner || done.has(`${c.id} finish`)) continue;
        const tasks = await store.listTasks(c.id);
        if (tasks.some((t) => t.node === "nap" && t.status === "succeeded")) return c;
      }
      return undefined;
    });
    const victim = first.find((w) => w.pid === inFlight.owner!.pid)!;
    expect(victim).toBeDefined();
    const before = lines();
    const killedAt = Date.now();
    victim.proc.kill("SIGKILL");
    await victim.exited;
    const replacement = await spawnWorker();
    const parent = await ended(id);
    const recoveredMs = Date.now() - killedAt;
    expect(parent.status).toBe("completed");
    const children = await store.listRuns({ parent: id });
    expect(children).toHaveLength(6);
    expect(children.map((c) => c.status)).toEqual(Array(6).fill("completed"));
    expect(stateOf<{ gathered: string }>(id, FANOUT).gathered).toBe("6/6");
    // Every node ran; none that finished before the kill ran again; a second run of a node is only
    // one the victim had in flight (it wrote its line and died before storing the node's end).
    const all = lines();
    const ran = counts(all);
    const keys = [
      ...children.flatMap((c) => CHILD_NODES.map((n) => `${c.id} ${n}`)),
      ...[0, 1, 2, 3, 4, 5].map((i) => `${id} one:${i}`),
      `${id} gather`,
    ];
    for (const k of keys) expect(ran.get(k), k).toBeGreaterThanOrEqual(1);
    const finishedBefore = new Set(before.map((l) => `${l.run} ${l.node}`));
    const again = all.slice(before.length).filter((l) => finishedBefore.has(`${l.run} ${l.node}`));
    for (const l of again) {
      const earlier = before.filter((b) => b.run === l.run && b.node === l.node);
      expect(
        earlier.every((b) => b.pid === victim.pid),
        `${l.run} ${l.node} ran again after it finished elsewhere`,
      ).toBe(true);
    }
    for (const [k, n] of ran) {
      if (n === 1) continue;
      const extra = all.filter((l) => `${l.run} ${l.node}` === k);
      expect(extra.filter((l) => l.pid !== victim.pid).length, `${k} ran twice on live workers`).toBe(1);
    }
    // The child the victim had in flight: its stored `nap` did not run again; a live worker finished it.
    expect(ran.get(`${inFlight.id} nap`)).toBe(1);
    const finisher = all.find((l) => l.run === inFlight.id && l.node === "finish")!;
    expect(finisher.pid).not.toBe(victim.pid);
    expect([first.find((w) => w !== victim)!.pid, replacement.pid]).toContain(finisher.pid);
    // Taken over by a live worker as a run of its own (a child of a submitted run is claimable once
    // its lease ends), or driven by its parent's task when that woke first; never by the victim.
    const takeover = events.find(
      (e) => e.type === "run_claimed" && e.runId === inFlight.id && e.at > killedAt,
    );
    expect(takeover?.pid).not.toBe(victim.pid);
    console.info(
      `child runs, SIGKILL: ${takeover ? "taken over" : "driven by its parent"}, parent done ${recoveredMs} ms after the kill; ${again.length} nodes ran again ` +
        `(in flight on the victim: ${again.map((l) => `${l.run.slice(37) || "parent"} ${l.node}`).join(", ") || "none"}); ` +
        `child ${inFlight.id.slice(-7)} finished by ${finisher.pid === replacement.pid ? "the replacement" : "the other first worker"}`,
    );
  }, 45_000);

  it("runs a subgraph node whose inner run sleeps: its run, <workflow>/<node>, is claimed by a worker when due", async () => {
    fresh();
    await Promise.all([spawnWorker(), spawnWorker()]);
    const id = baton("submit", SUBFLOW, "--input", '{"topic":"owls","napMs":300}').trim();
    const run = await ended(id);
    expect(run.status).toBe("completed");
    const [sub] = await store.listRuns({ parent: id });
    expect(sub).toMatchObject({
      graph: "subgraph-nap-flow/inner",
      status: "completed",
      parent: { runId: id, taskId: "inner", kind: "subgraph" },
    });
    const state = stateOf<{ notes: string[] }>(id, SUBFLOW);
    expect(state.notes).toEqual(["before", "napped on owls", "after"]);
    const ran = counts(lines());
    expect([ran.get(`${id} before`), ran.get(`${sub!.id} nap`), ran.get(`${id} after`)]).toEqual([1, 1, 1]);
    // The inner run was let go while it slept, and a worker claimed it by its name when it was due.
    const claim = events.find((e) => e.type === "run_claimed" && e.runId === sub!.id);
    expect(claim).toMatchObject({ graph: "subgraph-nap-flow/inner" });
    expect(events.some((e) => e.type === "error")).toBe(false);
  }, 40_000);
});
