import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { addSchedule, tickRunId } from "../../src/schedules/index.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { bundleChild, type ChildCommand } from "../helpers/child-bundle.js";
import { reportGraph } from "./fixtures.js";

const ROOT = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "baton-schedule-procs-"));
let ticker: ChildCommand;
beforeAll(async () => {
  ticker = await bundleChild(join(ROOT, "test/fixtures/schedule-ticker.ts"), "schedule-ticker");
});
afterAll(() => {
  ticker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface Ticker {
  readonly child: ChildProcess;
  /** The runs this process created. */
  readonly created: string[];
  readonly exited: Promise<void>;
}

function startTicker(args: readonly string[]): Promise<Ticker> {
  const child = spawn(process.execPath, [...ticker.args, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const created: string[] = [];
  let rest = "";
  let err = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((ready, fail) => {
    child.stdout!.on("data", (d: Buffer) => {
      const lines = (rest + d).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        const msg = JSON.parse(line) as { ready?: number; runId?: string };
        if (msg.ready) ready({ child, created, exited });
        if (msg.runId) created.push(msg.runId);
      }
    });
    child.stderr!.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("exit", (code, signal) =>
      fail(new Error(`ticker exited (${code ?? signal}) before ready: ${err}`)),
    );
  });
}

/** Poll the store until `check` holds (no fixed sleep). */
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Every second for 30 ticks, two processes ticking the same schedule, the first SIGKILLed midway
 * (wherever it is: between creating a tick's run and moving the schedule on, say): each tick has
 * exactly one run, none is missed, and each run was created by exactly one process.
 */
export async function thirtyTicks(store: Store, args: readonly string[]): Promise<void> {
  const added = await addSchedule(store, {
    name: "every-second",
    workflow: reportGraph(store),
    cron: "* * * * * *",
    overlap: "allow",
    catchUp: 0,
  });
  const first = added.nextAt!;
  const last = first + 29_000;
  const a = await startTicker(args);
  const b = await startTicker(args);
  try {
    const ticked = async (upTo: number) =>
      ((await store.getSchedule("every-second"))?.lastTickAt ?? 0) >= upTo;
    await until(() => ticked(first + 14_000), 40_000);
    a.child.kill("SIGKILL");
    await a.exited;
    await until(() => ticked(last), 40_000);
  } finally {
    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
    await Promise.all([a.exited, b.exited]);
  }
  const runs = (await store.listRuns({ limit: 1000 })).filter((r) => (r.wakeAt ?? 0) <= last);
  const expected = Array.from({ length: 30 }, (_, i) => tickRunId("every-second", first + i * 1000));
  expect(runs.map((r) => r.id).sort()).toEqual(expected);
  for (const run of runs) expect(run.id).toBe(tickRunId("every-second", run.wakeAt!));
  const created = [...a.created, ...b.created].filter((id) => expected.includes(id));
  expect(created.sort()).toEqual(expected);
  expect(a.created.length).toBeGreaterThan(0);
  expect(b.created.length).toBeGreaterThan(0);
  const schedule = await store.getSchedule("every-second");
  expect(schedule?.lastSkip).toBeUndefined();
}

describe("a schedule ticked by several processes (SQLite)", () => {
  it("fires every second for 30 ticks with two processes, one SIGKILLed midway: one run per tick", async () => {
    const db = join(dir, "ticks.db");
    const store = openSqliteStore(db);
    try {
      await thirtyTicks(store, [db]);
    } finally {
      await store.close();
    }
  }, 90_000);
});
