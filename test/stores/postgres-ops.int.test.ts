import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { NewRun, TaskRecord } from "../../src/engine/records.js";
import { BatonError } from "../../src/errors.js";
import { LATEST_VERSION, PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, PG_URL, testSchema } from "./postgres-helpers.js";

const describePg = await describeWithPostgres("PostgresStore operations (postgres-ops.int.test.ts)");

const uid = () => `run-${globalThis.crypto.randomUUID()}`;
const newRun = (over: Partial<NewRun> = {}): NewRun => ({
  id: uid(),
  graph: "g",
  graphHash: "h",
  status: "running",
  input: { a: 1 },
  ...over,
});
const task = (runId: string, step: number, taskId: string, over: Partial<TaskRecord> = {}): TaskRecord => ({
  runId,
  step,
  taskId,
  node: taskId.split("#")[0]!,
  status: "succeeded",
  attempts: 1,
  seq: step,
  startedAt: 1_700_000_000_123 + step,
  finishedAt: 1_700_000_000_456 + step,
  ...over,
});

describePg("PostgresStore", () => {
  const schema = testSchema("ops");
  let store: PostgresStore;
  const schemas = [schema];

  beforeAll(async () => {
    store = await openTestStore(schema);
  });
  afterAll(async () => {
    await store?.close();
    for (const s of schemas) await dropSchema(s);
  });

  it("applies every migration once, even when many processes open a fresh schema at once", async () => {
    const fresh = testSchema("migrate");
    schemas.push(fresh);
    const stores = await Promise.all(Array.from({ length: 8 }, () => openTestStore(fresh, 2)));
    const { rows } = await stores[0]!.pool.query(
      `SELECT version, name FROM "${fresh}".migrations ORDER BY version`,
    );
    expect(rows).toEqual([
      { version: 1, name: "core" },
      { version: 2, name: "cluster" },
      { version: 3, name: "cluster-work" },
      { version: 4, name: "ownership-history" },
      { version: 5, name: "time-events" },
      { version: 6, name: "threads" },
      { version: 7, name: "schedules" },
      { version: 8, name: "child-runs" },
    ]);
    expect(LATEST_VERSION).toBe(8);
    await Promise.all(stores.map((s) => s.close()));
  });

  it("refuses a schema migrated by a newer Baton, and a schema name it would have to quote", async () => {
    const newer = testSchema("newer");
    schemas.push(newer);
    await (await openTestStore(newer)).close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`INSERT INTO "${newer}".migrations (version, name) VALUES (99, 'future')`);
    await client.end();
    await expect(openTestStore(newer)).rejects.toThrow(/version 99.*upgrade Baton/);
    await expect(
      PostgresStore.open({ url: PG_URL, schema: 'x"; DROP TABLE runs; --' }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });

  it("reports an unreachable database as a STORE error", async () => {
    const error = await PostgresStore.open({ url: "postgres://postgres@127.0.0.1:1/none" }).catch((e) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect(error.code).toBe("STORE");
  });

  it("keeps JSON exactly, including U+0000 and the private character that escapes it", async () => {
    const tricky = {
      nul: "a\u0000b",
      esc: "x\uE000y\uE000\uE0000",
      both: "\uE000\u0000\uE000",
      "key\u0000with nul": ["\u0000", "\\u0000 literal", { deep: "\uE0000" }],
      plain: "héllo ✓",
    };
    const { run } = await store.createRun(newRun({ input: tricky }));
    expect(run.input).toEqual(tricky);
    expect((await store.getRun(run.id))!.input).toEqual(tricky);
    const record = task(run.id, 1, "n", { writes: [["k", tricky]], interrupts: [tricky] });
    await store.putTask(record);
    expect(await store.listTasks(run.id)).toEqual([record]);
  });

  it("tells a null input from no input at all", async () => {
    const { run: withNull } = await store.createRun(newRun({ input: null }));
    const { run: without } = await store.createRun(newRun({ input: undefined }));
    expect((await store.getRun(withNull.id))!.input).toBeNull();
    expect((await store.getRun(without.id))!.input).toBeUndefined();
  });

  it("keeps a fork's parent and every optional run field, and times to the millisecond", async () => {
    const before = Date.now();
    const { run } = await store.createRun(newRun({ parent: { runId: "p", step: 4 }, queue: "slow" }));
    const after = Date.now();
    expect(run).toMatchObject({ parent: { runId: "p", step: 4 }, queue: "slow", step: 0 });
    expect(Number.isInteger(run.createdAt)).toBe(true);
    expect(run.createdAt).toBeGreaterThanOrEqual(before);
    expect(run.createdAt).toBeLessThanOrEqual(after);
    const { run: plain } = await store.createRun(newRun());
    expect(Object.keys(plain).sort()).toEqual(
      ["createdAt", "graph", "graphHash", "id", "input", "queue", "status", "step", "updatedAt"].sort(),
    );
  });

  it("moves the run's step only when its checkpoint is stored: one statement, one transaction", async () => {
    const { run } = await store.createRun(newRun());
    await store.putCheckpoint({ runId: run.id, step: 1, next: [], joins: {}, createdAt: 1 });
    // NaN is no timestamp: the checkpoint insert fails, and the run's step must not move either.
    const error = await store
      .putCheckpoint({ runId: run.id, step: 2, next: [], joins: {}, createdAt: Number.NaN })
      .catch((e) => e);
    expect(error).toMatchObject({ code: "STORE" });
    expect(error.message).toMatch(/putCheckpoint/);
    expect((await store.getRun(run.id))!.step).toBe(1);
    expect((await store.listCheckpoints(run.id)).map((c) => c.step)).toEqual([1]);
  });

  it("accepts checkpoints and tasks of a run it has not seen, as the memory store does", async () => {
    const runId = uid();
    await store.putCheckpoint({ runId, step: 0, next: [{ id: "a", node: "a" }], joins: {}, createdAt: 5 });
    await store.putTask(task(runId, 1, "a"));
    expect(await store.getRun(runId)).toBeUndefined();
    expect(await store.listCheckpoints(runId)).toHaveLength(1);
    expect(await store.listTasks(runId)).toHaveLength(1);
  });

  it("sorts a large fan-out's tasks by send index, not as text", async () => {
    const { run } = await store.createRun(newRun());
    const ids = ["map", ...Array.from({ length: 120 }, (_, i) => `map#${119 - i}`)];
    for (const id of ids) await store.putTask(task(run.id, 3, id));
    const listed = (await store.listTasks(run.id)).map((t) => t.taskId);
    expect(listed).toEqual(["map", ...Array.from({ length: 120 }, (_, i) => `map#${i}`)]);
  });

  it("keeps a saga record's place when it is replaced", async () => {
    const { run } = await store.createRun(newRun());
    const rec = (taskKey: string, status: "done" | "failed", finishedAt: number) => ({
      runId: run.id,
      taskKey,
      node: taskKey.split(":")[1]!,
      status,
      attempts: 1,
      finishedAt,
    });
    await store.putCompensation(rec("3:c", "failed", 1));
    await store.putCompensation(rec("2:b", "done", 2));
    await store.putCompensation(rec("1:a", "done", 3));
    await store.putCompensation(rec("3:c", "done", 4));
    expect((await store.listCompensations(run.id)).map((c) => [c.taskKey, c.status])).toEqual([
      ["3:c", "done"],
      ["2:b", "done"],
      ["1:a", "done"],
    ]);
  });

  it("treats one id created by many clients at once as one run", async () => {
    const run = newRun();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.createRun({ ...run, graph: `g${i}` })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)!.run;
    for (const r of results) expect(r.run).toEqual(winner);
  });
});
