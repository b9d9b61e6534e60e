import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { TaskRecord } from "../../src/engine/records.js";
import type { Fence, PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "../stores/postgres-helpers.js";
import { sleep, until } from "./helpers.js";

const describePg = await describeWithPostgres("cluster store operations (store-ops.int.test.ts)");

describePg("fenced writes and step tasks on PostgreSQL", () => {
  const schema = testSchema("clusterops");
  let store: PostgresStore;
  let n = 0;

  beforeAll(async () => {
    store = await openTestStore(schema, 6);
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });
  beforeEach(async () => {
    await store.pool.query(
      `TRUNCATE "${schema}".runs, "${schema}".tasks, "${schema}".checkpoints, "${schema}".step_tasks`,
    );
  });

  const record = (runId: string, over: Partial<TaskRecord> = {}): TaskRecord => ({
    runId,
    step: 1,
    taskId: "t",
    node: "t",
    status: "succeeded",
    attempts: 1,
    seq: 1,
    writes: [["k", 1]],
    startedAt: 1,
    finishedAt: 2,
    ...over,
  });
  /** A submitted run claimed by `owner`, and its fence. */
  const claimed = async (owner = "w1", leaseMs = 30_000): Promise<Fence & { kind: "run" }> => {
    const id = `run-${++n}`;
    await store.submitRun({ id, graph: "g", graphHash: "h", status: "pending", input: {} });
    const claim = (await store.claimRun(owner, leaseMs))!;
    return { kind: "run", runId: id, owner, attempts: claim.lease.attempts };
  };
  const expire = (runId: string) =>
    store.pool.query(`UPDATE "${schema}".runs SET lease_expires_at = now() - interval '1 ms' WHERE id = $1`, [
      runId,
    ]);

  it("writes under a live lease, and refuses every write once it expired or passed to another claim", async () => {
    const fence = await claimed();
    const checkpoint = { runId: fence.runId, step: 1, next: [], joins: {}, createdAt: 5 };
    expect(await store.putTaskFenced(fence, record(fence.runId))).toBe(true);
    expect(await store.putCheckpointFenced(fence, checkpoint)).toBe(true);
    expect(await store.updateRunFenced(fence, fence.runId, { status: "running" })).toBe(true);
    const undo = {
      runId: fence.runId,
      taskKey: "1:t",
      node: "t",
      status: "done",
      attempts: 1,
      finishedAt: 3,
    } as const;
    expect(await store.putCompensationFenced(fence, undo)).toBe(true);
    expect((await store.getRun(fence.runId))!.step).toBe(1);

    await expire(fence.runId);
    const later = record(fence.runId, { taskId: "u", node: "u" });
    expect(await store.putTaskFenced(fence, later)).toBe(false);
    expect(await store.putCheckpointFenced(fence, { ...checkpoint, step: 2 })).toBe(false);
    expect(await store.updateRunFenced(fence, fence.runId, { status: "failed" })).toBe(false);
    expect(await store.putCompensationFenced(fence, { ...undo, taskKey: "1:u" })).toBe(false);
    // The same worker claiming it again holds a new lease: the old fence stays dead.
    const again = (await store.claimRun("w1", 30_000))!;
    expect(again.lease.attempts).toBe(fence.attempts + 1);
    expect(await store.putTaskFenced(fence, later)).toBe(false);
    expect(await store.putTaskFenced({ ...fence, attempts: again.lease.attempts }, later)).toBe(true);
    expect((await store.listTasks(fence.runId)).map((r) => r.taskId)).toEqual(["t", "u"]);
    expect((await store.getRun(fence.runId))!).toMatchObject({ status: "running", step: 1 });
  });

  it("ends the lease with a status that stops the run, and leaves a stopped run unleased for whoever resumes it", async () => {
    const a = await claimed();
    expect(await store.updateRunFenced(a, a.runId, { status: "compensating" })).toBe(true);
    expect(await store.getLease(a.runId)).toMatchObject({ owner: "w1" });
    expect(await store.updateRunFenced(a, a.runId, { status: "interrupted" })).toBe(true);
    expect(await store.getLease(a.runId)).toBeUndefined();
    await store.updateRun(a.runId, { status: "running" }); // resumed by a `baton resume` process
    expect(await store.claimRun("w2", 30_000)).toBeUndefined();

    const b = await claimed();
    expect(await store.endLease("w1", b.runId, b.attempts + 1)).toBe(false);
    expect(await store.endLease("w1", b.runId, b.attempts)).toBe(true);
    expect((await store.claimRun("w2", 30_000))!.run.id).toBe(b.runId);
  });

  it("offers a step's tasks, leases them out, and completes a task with its final record in one statement", async () => {
    const fence = await claimed();
    await store.updateRun(fence.runId, { status: "running" });
    const offers = [0, 1, 2].map((i) => ({ id: `m#${i}`, node: "m", input: { i }, seq: 10 + i }));
    expect(await store.publishStepTasks(fence, 3, offers)).toBe(true);
    // Offering again keeps what is there (and its leases).
    expect(await store.publishStepTasks(fence, 3, offers)).toBe(true);
    expect(await store.stepProgress(fence.runId, 3)).toEqual({ open: 3, aborted: [] });

    const [t0, t1] = await store.claimStepTasks("w2", 30_000, 2);
    expect(t0).toMatchObject({
      runId: fence.runId,
      step: 3,
      taskId: "m#0",
      node: "m",
      input: { i: 0 },
      seq: 10,
      graph: "g",
    });
    expect(t1!.taskId).toBe("m#1");
    const f0: Fence = {
      kind: "task",
      runId: fence.runId,
      step: 3,
      taskId: "m#0",
      owner: "w2",
      attempts: t0!.lease.attempts,
    };
    const f1: Fence = { ...f0, taskId: "m#1", attempts: t1!.lease.attempts };
    const retrying = record(fence.runId, {
      step: 3,
      taskId: "m#1",
      node: "m",
      status: "retrying",
      nextDueAt: Date.now() + 60_000,
      seq: 0,
    });
    expect(await store.putTaskFenced(f1, retrying)).toBe(true);
    expect(await store.releaseStepTask(f1, retrying.nextDueAt)).toBe(true);
    expect(
      await store.putTaskFenced(f0, record(fence.runId, { step: 3, taskId: "m#0", node: "m", seq: 10 })),
    ).toBe(true);
    expect(await store.stepProgress(fence.runId, 3)).toEqual({ open: 2, aborted: [] });
    // m#1 waits for its retry; only m#2 is claimable now, and its previous record comes with it.
    const [t2, none] = await store.claimStepTasks("w3", 30_000, 5);
    expect(t2!.taskId).toBe("m#2");
    expect(none).toBeUndefined();
    const f2: Fence = { ...f0, taskId: "m#2", owner: "w3", attempts: t2!.lease.attempts };
    expect(await store.heartbeatStepTasks("w3", [t2!, t0!], 30_000)).toEqual([
      { runId: fence.runId, step: 3, taskId: "m#2" },
    ]);
    expect(await store.abortStepTask(f2, "stop")).toBe(true);
    expect(await store.stepProgress(fence.runId, 3)).toEqual({
      open: 1,
      aborted: [{ taskId: "m#2", reason: "stop" }],
    });
    await store.pool.query(
      `UPDATE "${schema}".step_tasks SET lease_expires_at = now() WHERE task_id = 'm#1'`,
    );
    const [retry] = await store.claimStepTasks("w4", 30_000, 5);
    expect(retry).toMatchObject({ taskId: "m#1", previous: { status: "retrying", attempts: 1 } });
    expect(retry!.lease.previousOwner).toBeUndefined();
    // A cancelled step is withdrawn; the tasks' fences die with it.
    expect(await store.cancelStepTasks(fence, 3)).toBe(true);
    expect(await store.stepProgress(fence.runId, 3)).toEqual({ open: 0, aborted: [] });
    const f4: Fence = { ...f1, owner: "w4", attempts: retry!.lease.attempts };
    expect(await store.putTaskFenced(f4, record(fence.runId, { step: 3, taskId: "m#1", node: "m" }))).toBe(
      false,
    );
  });

  it("does not hand out tasks of a run that has ended, and clears them once it has", async () => {
    const fence = await claimed();
    await store.updateRun(fence.runId, { status: "running" });
    await store.publishStepTasks(fence, 1, [{ id: "x#0", node: "x", seq: 1 }]);
    await store.updateRun(fence.runId, { status: "cancelled" });
    expect(await store.claimStepTasks("w2", 30_000, 5)).toEqual([]);
    await store.clearStepTasks(fence.runId);
    expect((await store.stepProgress(fence.runId, 1)).open).toBe(0);
    await expire(fence.runId);
    expect(await store.publishStepTasks(fence, 2, [{ id: "y#0", node: "y", seq: 2 }])).toBe(false);
  });

  it("announces submitted runs, released runs and offered tasks to listening workers", async () => {
    let heard = 0;
    const listener = await store.listenForWork(() => heard++);
    try {
      const fence = await claimed();
      await until(async () => (heard >= 1 ? true : undefined), 5_000, "a notification for the submitted run");
      await store.updateRun(fence.runId, { status: "running" });
      const before = heard;
      await store.publishStepTasks(
        fence,
        1,
        [0, 1, 2].map((i) => ({ id: `z#${i}`, node: "z", seq: i })),
      );
      await until(async () => (heard > before ? true : undefined), 5_000, "a notification for offered tasks");
      const released = heard;
      await store.endLease("w1", fence.runId, fence.attempts);
      await until(
        async () => (heard > released ? true : undefined),
        5_000,
        "a notification for the released run",
      );
      const quiet = heard;
      await store.updateRun(fence.runId, { status: "completed" });
      await sleep(100);
      expect(heard).toBe(quiet);
    } finally {
      await listener.close();
    }
  });
});
