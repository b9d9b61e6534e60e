import { afterAll, beforeAll, expect, it } from "vitest";
import type { TaskRecord } from "../../src/engine/records.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "./postgres-helpers.js";

const describePg = await describeWithPostgres("PostgreSQL commit lanes (postgres-commit-lanes.int.test.ts)");

const task = (runId: string, taskId: string, over: Partial<TaskRecord> = {}): TaskRecord => ({
  runId,
  step: 1,
  taskId,
  node: taskId,
  status: "succeeded",
  attempts: 1,
  seq: 1,
  writes: [["items", taskId]],
  startedAt: 1_700_000_000_123,
  finishedAt: 1_700_000_000_456,
  ...over,
});

describePg("PostgreSQL commit lanes", () => {
  const schema = testSchema("lanes");
  let store: PostgresStore;
  beforeAll(async () => {
    store = await openTestStore(schema);
  });
  afterAll(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it("stores writes issued together as if one after another: records merged, the later of one key kept, the checkpoint after them", async () => {
    const { run } = await store.createRun({
      id: "lanes-1",
      graph: "g",
      graphHash: "h",
      status: "running",
      input: {},
    });
    const ids = Array.from({ length: 50 }, (_, i) => `b${i}`);
    await Promise.all([
      store.putTask(
        task(run.id, "b0", { status: "retrying", attempts: 1, seq: 0, nextDueAt: 1_700_000_001_000 }),
      ),
      ...ids.map((id, i) => store.putTask(task(run.id, id, { attempts: i === 0 ? 2 : 1, seq: i + 1 }))),
      store.putCheckpoint({ runId: run.id, step: 1, next: [], joins: {}, createdAt: 1_700_000_000_999 }),
      store.updateRun(run.id, { status: "completed" }),
    ]);
    const tasks = await store.listTasks(run.id);
    expect(tasks.map((t) => t.taskId).sort()).toEqual([...ids].sort());
    expect(tasks.find((t) => t.taskId === "b0")).toMatchObject({ status: "succeeded", attempts: 2, seq: 1 });
    expect(tasks.find((t) => t.taskId === "b7")!.writes).toEqual([["items", "b7"]]);
    expect(tasks.find((t) => t.taskId === "b0")!.nextDueAt).toBeUndefined();
    expect(await store.getRun(run.id)).toMatchObject({ status: "completed", step: 1 });
  });

  it("fails only the faulty write of a shared commit; the others are stored", async () => {
    const { run } = await store.createRun({
      id: "lanes-2",
      graph: "g",
      graphHash: "h",
      status: "running",
      input: {},
    });
    const results = await Promise.allSettled([
      store.putTask(task(run.id, "ok-1")),
      // Not a whole number: PostgreSQL refuses it, and with it the statement and transaction it shares.
      store.putTask(task(run.id, "bad", { step: 1.5 })),
      store.putCheckpoint({ runId: run.id, step: 1, next: [], joins: {}, createdAt: 1_700_000_000_999 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await store.listTasks(run.id)).map((t) => t.taskId)).toEqual(["ok-1"]);
    expect((await store.getRun(run.id))?.step).toBe(1);
  });
});
