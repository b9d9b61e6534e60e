import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { defaultStore } from "../../src/engine/default-store.js";
import { defineState, END, START, StateGraph, value } from "../../src/index.js";
import { registerDefaultStore } from "../../src/stores/default.js";
import { openSqliteStore, resolveDbPath, SqliteStore } from "../../src/stores/sqlite/index.js";
import { WriteBatch } from "../../src/stores/sqlite/write-batch.js";

const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-open-"));
const cwd = process.cwd();
const env = process.env.BATON_DB;
afterEach(() => {
  process.chdir(cwd);
  if (env === undefined) delete process.env.BATON_DB;
  else process.env.BATON_DB = env;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const graph = (store?: SqliteStore) =>
  new StateGraph(defineState({ n: value(0) }))
    .addNode("inc", (s) => ({ n: s.n + 1 }))
    .addEdge(START, "inc")
    .addEdge("inc", END)
    .compile(store ? { store, name: "open" } : { name: "open" });

describe("openSqliteStore", () => {
  it("defaults to .baton/baton.db under the working directory, creating the folder", async () => {
    delete process.env.BATON_DB;
    const home = mkdtempSync(join(dir, "cwd-"));
    process.chdir(home);
    expect(resolveDbPath()).toBe(join(home, ".baton/baton.db"));
    const store = openSqliteStore();
    expect(store.path).toBe(join(home, ".baton/baton.db"));
    await graph(store).invoke({});
    await store.close();
    expect(existsSync(join(home, ".baton/baton.db"))).toBe(true);
  });

  it("uses BATON_DB when no path is given, and an explicit path over both", async () => {
    process.env.BATON_DB = join(dir, "env/nested/runs.db");
    expect(resolveDbPath()).toBe(join(dir, "env/nested/runs.db"));
    expect(resolveDbPath(join(dir, "given.db"))).toBe(join(dir, "given.db"));
    const store = openSqliteStore();
    expect(store.path).toBe(process.env.BATON_DB);
    await store.close();
    expect(existsSync(process.env.BATON_DB)).toBe(true);
  });

  it("runs in WAL mode with synchronous=NORMAL by default and FULL on request, waiting on locks", async () => {
    const normal = openSqliteStore(join(dir, "normal.db"));
    expect(normal.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(normal.db.pragma("synchronous", { simple: true })).toBe(1);
    expect(normal.db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(normal.db.pragma("page_size", { simple: true })).toBe(1024);
    await normal.close();
    const full = openSqliteStore(join(dir, "full.db"), { durability: "full", busyTimeoutMs: 250 });
    expect(full.db.pragma("synchronous", { simple: true })).toBe(2);
    expect(full.db.pragma("busy_timeout", { simple: true })).toBe(250);
    await full.close();
  });

  it("is what compile() uses without a store once registerDefaultStore() ran", async () => {
    process.env.BATON_DB = join(dir, "default.db");
    registerDefaultStore();
    const store = defaultStore();
    expect(store).toBeInstanceOf(SqliteStore);
    expect((store as SqliteStore).path).toBe(join(dir, "default.db"));
    const compiled = graph();
    expect(compiled.store).toBe(store);
    const { runId } = await compiled.run({});
    await store!.close();
    const reopened = openSqliteStore(join(dir, "default.db"));
    expect((await reopened.getRun(runId))?.status).toBe("completed");
    await reopened.close();
  });

  it("lets two connections share one file: one runs, the other sees it at once", async () => {
    const path = join(dir, "shared.db");
    const writer = openSqliteStore(path);
    const reader = openSqliteStore(path);
    const { runId } = await graph(writer).run({ n: 41 });
    expect(await graph(reader).getState(runId)).toMatchObject({
      state: { n: 42 },
      run: { status: "completed" },
    });
    await writer.close();
    await reader.close();
  });

  it("folds the WAL into the database on close", async () => {
    const path = join(dir, "closed.db");
    const store = openSqliteStore(path);
    await graph(store).run({});
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("refuses to write records for a run it does not hold", async () => {
    const store = openSqliteStore(join(dir, "orphan.db"));
    const record = {
      runId: "nope",
      step: 1,
      taskId: "a",
      node: "a",
      status: "succeeded" as const,
      attempts: 1,
      seq: 1,
      startedAt: 1,
      finishedAt: 1,
    };
    await expect(store.putTask(record)).rejects.toMatchObject({ code: "STORE" });
    await expect(
      store.putCheckpoint({ runId: "nope", step: 0, next: [], joins: {}, createdAt: 1 }),
    ).rejects.toMatchObject({
      code: "STORE",
    });
    await store.close();
  });
});

describe("WriteBatch", () => {
  const table = () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (v INTEGER NOT NULL)");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const count = () => (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    return { db, insert, count };
  };

  it("commits the writes of one tick together, and each promise only after the commit", async () => {
    // A second connection sees only committed rows: what it reads inside each write tells which
    // writes shared a commit.
    const dir = mkdtempSync(join(tmpdir(), "baton-batch-"));
    const path = join(dir, "b.db");
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (v INTEGER NOT NULL)");
    const other = new Database(path, { readonly: true });
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const committed = () => (other.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    const batch = new WriteBatch(db);
    const seen: number[] = [];
    const write = (v: number) =>
      batch.push(() => {
        seen.push(committed());
        insert.run(v);
      });
    const writes = [1, 2, 3].map(write);
    expect(committed()).toBe(0);
    await Promise.all(writes);
    expect(committed()).toBe(3);
    await write(4);
    expect(committed()).toBe(4);
    // The three of one tick shared one commit; the fourth came in a later tick.
    expect(seen).toEqual([0, 0, 0, 3]);
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies a write of several statements atomically, even alone", async () => {
    const { db, insert, count } = table();
    const batch = new WriteBatch(db);
    const half = batch.push(() => {
      insert.run(1);
      insert.run(null);
    });
    await expect(half).rejects.toThrow(/NOT NULL/);
    expect(count()).toBe(0);
    db.close();
  });

  it("fails only the faulty write of a batch", async () => {
    const { db, insert, count } = table();
    const batch = new WriteBatch(db);
    const results = await Promise.allSettled([
      batch.push(() => insert.run(1)),
      batch.push(() => insert.run(null)),
      batch.push(() => insert.run(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(count()).toBe(2);
    db.close();
  });

  it("flush() commits queued writes at once, so reads see them", async () => {
    const { db, insert, count } = table();
    const batch = new WriteBatch(db);
    const pending = batch.push(() => insert.run(7));
    batch.flush();
    expect(count()).toBe(1);
    await pending;
    db.close();
  });
});
