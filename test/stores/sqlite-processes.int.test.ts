import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { MIGRATIONS } from "../../src/stores/sqlite/migrations/index.js";
import { waitingGraph } from "../fixtures/crash-sqlite-peer.js";

const ROOT = join(import.meta.dirname, "../..");
const PEER = join(ROOT, "test/fixtures/crash-sqlite-peer.ts");
const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-peers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the peer script; `onLine` sees each line of its output as it comes. */
function peer(args: string[], onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", PEER, ...args], { cwd: ROOT });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      const lines = (out + d).split("\n");
      for (const line of lines.slice(out.split("\n").length - 1, -1)) onLine?.(line);
      out += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`peer exited ${code}: ${err}`)),
    );
  });
}

describe("SQLite shared by several processes", () => {
  it("lets processes create the same new file at once: one applies the migrations, all write", async () => {
    const db = join(dir, "race.db");
    // Every peer opens the missing file at the same instant, once all have had time to start.
    const startAt = String(Date.now() + 2500);
    const outs = await Promise.all(
      ["a", "b", "c", "d"].map((tag) => peer(["hammer", db, "40", tag, startAt])),
    );
    expect(outs.every((o) => o.includes("ok"))).toBe(true);
    const store = openSqliteStore(db);
    expect(await store.listRuns({ graph: "hammer", limit: 1000 })).toHaveLength(160);
    expect((await store.listTasks("c-39"))[0]?.writes).toEqual([["i", 39]]);
    expect(store.db.prepare("SELECT id FROM migrations").all()).toEqual(
      MIGRATIONS.map((m) => ({ id: m.id })),
    );
    await store.close();
  }, 60_000);

  it("cancels a run executing in another process (as `baton cancel` from another terminal)", async () => {
    const db = join(dir, "cancel.db");
    const runId = "remote-run";
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const child = peer(["wait", db, runId], (line) => line === "started" && started());
    await running;
    const store = openSqliteStore(db);
    expect((await store.getRun(runId))?.status).toBe("running");
    await waitingGraph(store).cancel(runId);
    expect(await child).toContain("done cancelled");
    const run = await store.getRun(runId);
    expect(run?.status).toBe("cancelled");
    expect(run?.cancelRequested).toBeUndefined();
    await store.close();
  }, 60_000);
});
