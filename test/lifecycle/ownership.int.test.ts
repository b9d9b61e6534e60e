import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { baton, REPO, spawnBaton } from "../cli/helpers.js";
import { bundleChild, type ChildCommand } from "../helpers/child-bundle.js";
import { countBy, type Entry, exited, ledgerOf, once, takeoverRaces } from "./races.js";

/**
 * One owner per run, with real processes on one SQLite file: a run another live process drives is
 * refused, a crashed one is taken over by exactly one process, and `baton recover` and `baton serve`
 * finish crashed runs without anyone naming them. An outside ledger (one line per node that really
 * finished, with the pid of the process that ran it) says what happened.
 */
const FLOW = join(REPO, "test/fixtures/ledger-flow.ts");
const NODES = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];
const dir = mkdtempSync(join(tmpdir(), "baton-own-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * After a kill and a recovery: every node finished, each under one idempotency key, and only the
 * node in flight at the kill may have run twice (its effect landed, its record had not): once in
 * the killed process, once in the one that took over. No node ran twice in one process.
 */
function expectRecovered(entries: readonly Entry[], killed: number | undefined) {
  const counts = countBy(entries);
  expect(Object.keys(counts).sort()).toEqual(NODES);
  const twice = Object.entries(counts).filter(([, n]) => n > 1);
  expect(twice.length).toBeLessThanOrEqual(1);
  for (const [node, n] of twice) {
    expect(n).toBe(2);
    const runs = entries.filter((e) => e.node === node);
    expect(new Set(runs.map((e) => e.key)).size).toBe(1);
    expect(runs[0]!.pid).toBe(killed);
    expect(runs[1]!.pid).not.toBe(killed);
  }
}

function setup(name: string) {
  const cwd = mkdtempSync(join(dir, `${name}-`));
  const db = join(cwd, "runs.db");
  const ledger = join(cwd, "ledger.jsonl");
  const env = { LEDGER_FILE: ledger };
  return { cwd, db, ledger, env };
}

async function statusOf(db: string, runId: string) {
  const store = openSqliteStore(db);
  try {
    return (await store.getRun(runId))?.status;
  } finally {
    await store.close();
  }
}

describe("one owner per run (SQLite, real processes)", () => {
  it("refuses `baton resume` of a run another `baton run` is driving; every node runs once, in that process", async () => {
    const { cwd, db, ledger } = setup("busy");
    // Slow steps: the run is still going while two other `baton` processes start and try.
    const env = { LEDGER_FILE: ledger, LEDGER_STEP_MS: "700" };
    const first = spawnBaton(["run", FLOW, "--run-id", "busy-1", "--db", db, "--json"], { cwd, env });
    const firstExit = exited(first);
    await until(() => ledgerOf(ledger).length >= 1);
    const others = await Promise.all([0, 1].map(() => baton(["resume", "busy-1", "--db", db], { cwd, env })));
    for (const second of others) {
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/busy-1 is being driven by .*pid \d+/);
    }
    expect((await firstExit).code).toBe(0);
    const entries = ledgerOf(ledger);
    expect(countBy(entries)).toEqual(once(NODES));
    expect(new Set(entries.map((e) => e.pid))).toEqual(new Set([first.pid]));
  });

  it("marks a killed run as crashed, and `baton recover` finishes it; no node runs twice", async () => {
    const { cwd, db, ledger, env } = setup("recover");
    const run = spawnBaton(["run", FLOW, "--run-id", "rec-1", "--db", db], { cwd, env });
    const runExit = exited(run);
    await until(() => ledgerOf(ledger).length >= 3);
    run.kill("SIGKILL");
    await runExit;
    const runs = await baton(["runs", "--db", db], { cwd, env });
    expect(runs.stdout).toMatch(/rec-1 +running \(crashed\)/);
    expect(runs.stdout).toContain("npx baton recover");
    const show = await baton(["show", "rec-1", "--db", db], { cwd, env });
    expect(show.stdout).toMatch(/crashed: owner gone since .* \(process exited\)/);
    const recovered = await baton(["recover", "--db", db], { cwd, env });
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toContain("recovered rec-1 (ledger-flow): completed");
    expectRecovered(ledgerOf(ledger), run.pid);
    const events = await baton(["show", "rec-1", "--db", db, "--events"], { cwd, env });
    expect(events.stdout).toMatch(/took over from .* \(process exited\)/);
    // Nothing left to recover: a second pass finds no crashed run.
    expect((await baton(["recover", "--db", db], { cwd, env })).stdout).toContain("no crashed runs");
  });

  it("`baton serve` recovers a crashed run at start", async () => {
    const { cwd, db, ledger, env } = setup("serve");
    const run = spawnBaton(["run", FLOW, "--run-id", "srv-1", "--db", db], { cwd, env });
    const runExit = exited(run);
    await until(() => ledgerOf(ledger).length >= 2);
    run.kill("SIGKILL");
    await runExit;
    const serve = spawnBaton(["serve", "--db", db, "--port", "0"], { cwd, env });
    const serveExit = exited(serve);
    try {
      await until(async () => (await statusOf(db, "srv-1")) === "completed", 60_000);
    } finally {
      serve.kill("SIGTERM");
      await serveExit;
    }
    expectRecovered(ledgerOf(ledger), run.pid);
  });

  it("Ctrl-C stops `baton run` cleanly: exit 130, one line saying how to resume; the resume finishes it", async () => {
    const { cwd, db, ledger, env } = setup("sigint");
    const run = spawnBaton(["run", FLOW, "--run-id", "int-1", "--db", db], { cwd, env });
    let stderr = "";
    run.stderr!.on("data", (d) => {
      stderr += d;
    });
    const runExit = exited(run);
    await until(() => ledgerOf(ledger).length >= 2);
    run.kill("SIGINT");
    expect((await runExit).code).toBe(130);
    expect(stderr).toMatch(/run int-1 stopped \(SIGINT\).*npx baton resume int-1/);
    const store = openSqliteStore(db);
    const stopped = await store.getRun("int-1");
    await store.close();
    expect(stopped?.status).toBe("running");
    expect(stopped?.owner).toBeUndefined();
    const resumed = await baton(["resume", "int-1", "--db", db, "--json"], { cwd, env });
    expect(JSON.parse(resumed.stdout).status).toBe("completed");
    expect(countBy(ledgerOf(ledger))).toEqual(once(NODES));
  });
});

describe("takeover races (SQLite, real processes)", () => {
  const RACES = Number(process.env.TAKEOVER_RACES ?? 100);
  let child: ChildCommand;
  beforeAll(async () => {
    child = await bundleChild(join(REPO, "test/fixtures/takeover-child.ts"), "takeover-child");
  });
  afterAll(() => child?.dispose());

  it(`${RACES} races of two takeovers of a crashed run: exactly one wins each, no node runs twice`, {
    timeout: 120_000,
  }, async () => {
    const result = await takeoverRaces(child, join(dir, "races.db"), join(dir, "races.jsonl"), RACES);
    expect(result.failures).toEqual([]);
    expect(result.won).toBe(RACES);
  });
});
