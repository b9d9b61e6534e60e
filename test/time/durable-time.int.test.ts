import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/engine/records.js";
import type { Store } from "../../src/engine/store.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { baton, REPO, spawnBaton } from "../cli/helpers.js";
import {
  describeWithPostgres,
  dropSchema,
  openTestStore,
  PG_URL,
  testSchema,
} from "../stores/postgres-helpers.js";

/**
 * Durable time with real processes: a run sleeps in one process, that process is SIGKILLed, and a
 * runner started afterwards wakes the run on time; events reach waits exactly once across workers.
 * The outside ledger (test/fixtures/reminder-flow.ts) says what each node really did, and where.
 */
const FLOW = join(REPO, "test/fixtures/reminder-flow.ts");
const dir = mkdtempSync(join(tmpdir(), "baton-time-int-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

interface Line {
  node: string;
  pid: number;
  at: number;
  wakeAt?: number;
}
const ledgerOf = (file: string): Line[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
    : [];

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const start = (args: string[], cwd: string, env: Record<string, string>) => {
  const child = spawnBaton(args, { cwd, env });
  children.push(child);
  return child;
};

/** The runs' status as stored, read through a store opened for the look. */
async function statusOf(open: () => Store | Promise<Store>, runId: string): Promise<RunRecord | undefined> {
  const store = await open();
  try {
    return await store.getRun(runId);
  } finally {
    await store.close();
  }
}

function setup(name: string) {
  const cwd = mkdtempSync(join(dir, `${name}-`));
  const ledger = join(cwd, "ledger.jsonl");
  return { cwd, ledger, env: { LEDGER_FILE: ledger } };
}

/** The woken task ran once, in `pid`'s process or another, within a second of its wake time. */
function expectWokeOnTime(lines: readonly Line[], notIn?: number) {
  const woke = lines.filter((l) => l.node === "woke");
  expect(woke).toHaveLength(1);
  const late = woke[0]!.at - woke[0]!.wakeAt!;
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThan(1_000);
  if (notIn !== undefined) expect(woke[0]!.pid).not.toBe(notIn);
}

describe("durable sleep and events (SQLite, real processes)", () => {
  it("a run SIGKILLed while it sleeps is woken on time by a runner started afterwards; its work before the sleep is not repeated", async () => {
    const { cwd, ledger, env } = setup("kill");
    const db = join(cwd, "runs.db");
    const open = () => openSqliteStore(db);
    const run = start(
      ["run", FLOW, "--run-id", "sleepy", "--db", db, "--input", '{"sleepMs": 3000}'],
      cwd,
      env,
    );
    await until(async () => (await statusOf(open, "sleepy"))?.status === "sleeping");
    const sender = ledgerOf(ledger).find((l) => l.node === "send")!;
    expect(sender.pid).toBe(run.pid);
    run.kill("SIGKILL");
    await until(() => run.exitCode !== null || run.signalCode !== null);
    start(["worker", "--db", db, "--workflow", FLOW], cwd, env);
    const done = await until(async () => {
      const r = await statusOf(open, "sleepy");
      return r?.status === "completed" ? r : undefined;
    });
    expect(done.status).toBe("completed");
    const lines = ledgerOf(ledger);
    expect(lines.filter((l) => l.node === "send")).toHaveLength(1);
    expectWokeOnTime(lines, run.pid);
  });

  it("events sent before and during a wait are delivered once each with two runners; a wait nobody answers times out", async () => {
    const { cwd, ledger, env } = setup("events");
    const db = join(cwd, "runs.db");
    const open = () => openSqliteStore(db);
    const submit = (id: string, input: object) =>
      baton(["submit", FLOW, "--run-id", id, "--db", db, "--input", JSON.stringify(input)], { cwd, env });
    for (const [id, input] of [
      ["before", { awaitReply: true, sleepMs: 1500 }],
      ["during", { awaitReply: true, sleepMs: 200 }],
      ["never", { awaitReply: true, sleepMs: 200, timeoutMs: 1200 }],
    ] as const)
      expect((await submit(id, input)).code).toBe(0);
    // Sent while "before" is still asleep, before it reaches the wait: kept until it does.
    expect(
      (await baton(["signal", "before", "reply", "--value", '{"text": "early"}', "--db", db], { cwd, env }))
        .code,
    ).toBe(0);
    start(["worker", "--db", db, "--workflow", FLOW], cwd, env);
    start(["worker", "--db", db, "--workflow", FLOW], cwd, env);
    await until(async () => (await statusOf(open, "during"))?.status === "waiting");
    const refused = await baton(["signal", "during", "reply", "--value", '{"text": 7}', "--db", db], {
      cwd,
      env,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/invalid.*text/i);
    expect(
      (await baton(["signal", "during", "reply", "--value", '{"text": "on time"}', "--db", db], { cwd, env }))
        .code,
    ).toBe(0);
    const finals = await until(async () => {
      const runs = await Promise.all(["before", "during", "never"].map((id) => statusOf(open, id)));
      return runs.every((r) => r?.status === "completed") ? runs : undefined;
    });
    expect(finals.map((r) => r!.status)).toEqual(["completed", "completed", "completed"]);
    const store = open();
    try {
      const outcome = async (id: string) => {
        const tasks = await store.listTasks(id);
        return Object.fromEntries(tasks.flatMap((t) => t.writes ?? []));
      };
      expect(await outcome("before")).toMatchObject({ outcome: "replied", reply: "early" });
      expect(await outcome("during")).toMatchObject({ outcome: "replied", reply: "on time" });
      expect(await outcome("never")).toMatchObject({ outcome: "no reply" });
      for (const id of ["before", "during"]) {
        const history = await store.listHistory(id);
        expect(history.filter((e) => e.type === "event_received")).toHaveLength(1);
      }
    } finally {
      await store.close();
    }
    const lines = ledgerOf(ledger);
    expect(lines.filter((l) => l.node === "send")).toHaveLength(3);
    expect(lines.filter((l) => l.node === "replied")).toHaveLength(2);
    expect(lines.filter((l) => l.node === "timed out")).toHaveLength(1);
    // Nothing stored for the refused payload: "during" received only the good one.
    const bad = await baton(["signal", "nope", "reply", "--db", db], { cwd, env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("nope");
    const finished = await baton(["signal", "never", "reply", "--value", '{"text": "late"}', "--db", db], {
      cwd,
      env,
    });
    expect(finished.code).not.toBe(0);
    expect(finished.stderr).toMatch(/completed/);
  });

  it("refuses a start time in the past or a negative delay before anything is stored", async () => {
    const { cwd, env } = setup("bad");
    const db = join(cwd, "runs.db");
    const past = await baton(["submit", FLOW, "--db", db, "--run-id", "p", "--at", "2001-01-01T00:00:00Z"], {
      cwd,
      env,
    });
    expect(past.code).toBe(2);
    expect(past.stderr).toContain("in the past");
    const negative = await baton(["submit", FLOW, "--db", db, "--run-id", "n", "--delay", "-5m"], {
      cwd,
      env,
    });
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain("--delay");
    if (existsSync(db)) {
      expect(await statusOf(() => openSqliteStore(db), "p")).toBeUndefined();
      expect(await statusOf(() => openSqliteStore(db), "n")).toBeUndefined();
    }
  });
});

const describePg = await describeWithPostgres("durable sleep on PostgreSQL");

describePg("durable sleep and events (PostgreSQL, two workers)", () => {
  const schema = testSchema("time");
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const db = url.toString();
  const open = () => openTestStore(schema, 1);
  afterAll(() => dropSchema(schema));

  it("the worker that put a run to sleep is SIGKILLed; the other wakes it on time, and an event reaches its wait once", async () => {
    const { cwd, ledger, env } = setup("pg");
    const store = await open();
    try {
      const workers = [0, 1].map(() =>
        start(["worker", "--db", db, "--workflow", FLOW, "--poll-ms", "100"], cwd, env),
      );
      const submit = (id: string, input: object) =>
        baton(["submit", FLOW, "--db", db, "--run-id", id, "--input", JSON.stringify(input)], { cwd, env });
      expect((await submit("pg-reply", { awaitReply: true, sleepMs: 100 })).code).toBe(0);
      expect((await submit("pg-sleep", { sleepMs: 6000 })).code).toBe(0);
      await until(async () => (await store.getRun("pg-sleep"))?.status === "sleeping");
      // pg-reply was submitted first: the second send is pg-sleep's.
      const sent = await until(() => ledgerOf(ledger).filter((l) => l.node === "send")[1]);
      const killed = workers.find((w) => w.pid === sent.pid)!;
      killed.kill("SIGKILL");
      await until(async () => (await store.getRun("pg-reply"))?.status === "waiting");
      const signal = ["signal", "pg-reply", "reply", "--value", '{"text": "ok"}', "--db", db];
      expect((await baton(signal, { cwd, env })).code).toBe(0);
      await until(async () => {
        const runs = await Promise.all(["pg-sleep", "pg-reply"].map((id) => store.getRun(id)));
        return runs.every((r) => r?.status === "completed") ? runs : undefined;
      });
      const lines = ledgerOf(ledger);
      expect(lines.filter((l) => l.node === "send")).toHaveLength(2);
      expect(lines.filter((l) => l.node === "replied")).toHaveLength(1);
      // pg-sleep's wake (the one due 6 s after its send) came from the surviving worker, on time.
      expectWokeOnTime(
        lines.filter((l) => l.node === "woke" && Math.abs(l.wakeAt! - (sent.at + 6000)) < 50),
        killed.pid,
      );
      const received = (await store.listHistory("pg-reply")).filter((e) => e.type === "event_received");
      expect(received).toHaveLength(1);
      expect((await store.listHistory("pg-sleep")).filter((e) => e.type === "woke")).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 60_000);
});
