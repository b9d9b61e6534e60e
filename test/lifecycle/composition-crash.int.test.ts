import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/engine/records.js";
import type { Store } from "../../src/engine/store.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { REPO, spawnBaton } from "../cli/helpers.js";

/**
 * Subgraphs and child runs with real processes: `baton run` is SIGKILLed in the middle of the
 * subgraph's run, or of the child run, and a runner started afterwards finishes everything. The
 * outside ledger (test/fixtures/composition-flow.ts) says what each node really did: nothing that
 * finished before the kill runs again; only the node in flight when it came runs a second time.
 */
const FLOW = join(REPO, "test/fixtures/composition-flow.ts");
const dir = mkdtempSync(join(tmpdir(), "baton-composition-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const processes: ChildProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
});

const ledgerOf = (file: string): Array<{ node: string; pid: number }> =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { node: string; pid: number })
    : [];
const counts = (file: string) => {
  const n: Record<string, number> = {};
  for (const l of ledgerOf(file)) n[l.node] = (n[l.node] ?? 0) + 1;
  return n;
};

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 40_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Look at the SQLite file through a store opened for the look. */
async function look<T>(db: string, read: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore(db);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}
const readRun = (db: string, runId: string): Promise<RunRecord | undefined> =>
  look(db, (s) => s.getRun(runId));

async function crashAt(node: "slow" | "hold") {
  const cwd = mkdtempSync(join(dir, `${node}-`));
  const db = join(cwd, "runs.db");
  const ledger = join(cwd, "ledger.jsonl");
  const env = { LEDGER_FILE: ledger, BLOCK_AT: node };
  const run = spawnBaton(["run", FLOW, "--run-id", "c1", "--db", db, "--input", '{"topic": "owls"}'], {
    cwd,
    env,
  });
  processes.push(run);
  // The node in flight when the kill comes: the subgraph's `slow`, or the child run's `hold`.
  await until(() => ledgerOf(ledger).some((l) => l.node === node));
  run.kill("SIGKILL");
  await until(() => run.exitCode !== null || run.signalCode !== null);
  const runner = spawnBaton(["worker", "--db", db, "--workflow", FLOW], { cwd, env });
  processes.push(runner);
  const done = await until(async () => {
    const r = await readRun(db, "c1");
    return r?.status === "completed" ? r : undefined;
  });
  return { db, ledger, done, killed: run.pid! };
}

describe("subgraphs and child runs, SIGKILLed mid-way (SQLite, real processes)", () => {
  it("a crash inside a subgraph's run resumes inside it: finished inner nodes do not run again", async () => {
    const { db, ledger, done } = await crashAt("slow");
    expect(done.status).toBe("completed");
    // slow was in flight at the kill: it ran again; every node that had finished ran once.
    expect(counts(ledger)).toEqual({
      prep: 1,
      draft: 1,
      slow: 2,
      ship: 1,
      pack: 1,
      hold: 1,
      label: 1,
      finish: 1,
    });
    expect((await readRun(db, "c1:review:2:sub"))?.status).toBe("completed");
    const children = await look(db, (s) => s.listRuns({ parent: "c1" }));
    expect(children.map((c) => `${c.graph}:${c.status}`).sort()).toEqual([
      "composition-child:completed",
      "composition-flow/review:completed",
    ]);
  });

  it("a crash inside a child run resumes the child: its parent gets its result, nothing finished runs again", async () => {
    const { db, ledger, done, killed } = await crashAt("hold");
    expect(done.status).toBe("completed");
    // ship (the parent's task waiting for the child) and hold were in flight: both ran again; the
    // child was not started a second time (pack ran once).
    expect(counts(ledger)).toEqual({
      prep: 1,
      draft: 1,
      slow: 1,
      ship: 2,
      pack: 1,
      hold: 2,
      label: 1,
      finish: 1,
    });
    // The child went on in the runner, not in the killed process.
    const label = ledgerOf(ledger).find((l) => l.node === "label")!;
    expect(label.pid).not.toBe(killed);
    const child = await readRun(db, "c1:ship:3:0");
    expect(child).toMatchObject({
      status: "completed",
      parent: { runId: "c1", kind: "child", taskId: "ship" },
    });
    const tasks = await look(db, (s) => s.listTasks("c1"));
    const ship = tasks.find((t) => t.node === "ship" && t.status === "succeeded");
    expect(ship?.writes).toEqual([["shipped", "packed owls, held, labelled"]]);
  });
});
