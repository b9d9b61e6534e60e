import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { fencedStore } from "../../src/cluster/fenced-store.js";
import type { NewRun, TaskRecord } from "../../src/engine/records.js";
import type { Store } from "../../src/engine/store.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "../stores/postgres-helpers.js";
import { chain, executions, fan, gates } from "./graphs.js";
import { ended, sampleLeases, sleep, until, workers } from "./helpers.js";

const describePg = await describeWithPostgres("cluster workers in one process (worker.int.test.ts)");

describePg("cluster workers", () => {
  const schema = testSchema("workers");
  let store: PostgresStore;
  let fenced: Store;
  let cluster: ReturnType<typeof workers>;
  /** The same workflows compiled on the plain store, as a `baton resume` or `cancel` process has them. */
  let plain: { chain: ReturnType<typeof chain>; fan: ReturnType<typeof fan> };
  let n = 0;

  beforeAll(async () => {
    store = await openTestStore(schema, 12);
    fenced = fencedStore(store);
    cluster = workers(store, fenced, [chain(fenced), fan(fenced)]);
    plain = { chain: chain(store), fan: fan(store) };
  });
  afterEach(async () => {
    await cluster.stopAll();
    executions.length = 0;
    cluster.events.length = 0;
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  const submit = async (
    graph: { name: string; hash: string },
    input: unknown = {},
    over: Partial<NewRun> = {},
  ) => {
    const id = `run-${++n}`;
    await store.submitRun({
      id,
      graph: graph.name,
      graphHash: graph.hash,
      status: "pending",
      input,
      ...over,
    });
    return id;
  };
  const ran = (prefix: string) => executions.filter((e) => e.startsWith(prefix) && !e.includes(" "));

  it("starts submitted runs from their input and drives them to the end", async () => {
    await cluster.start("w1");
    const ids = await Promise.all([1, 2, 3].map(() => submit(plain.chain)));
    for (const id of ids) expect((await ended(store, id)).status).toBe("completed");
    const state = await plain.chain.getState(ids[0]!);
    expect(state.state.trail).toEqual(["a@w1", "b@w1", "c@w1"]);
    await until(async () => ((await store.getLease(ids[0]!)) ? undefined : true));
    const finished = cluster.events.filter((e) => e.type === "run_finished").map((e) => e.runId);
    expect(finished.sort()).toEqual([...ids].sort());
  });

  it("takes over a run whose lease expired and resumes it from its last checkpoint; the old worker stops and writes nothing", async () => {
    const id = await submit(plain.chain);
    let open!: () => void;
    gates.set(`${id}:b:2`, new Promise((r) => (open = r)));
    await cluster.start("w1", { queues: ["default"] });
    await until(async () => (executions.includes("b@w1") ? true : undefined));
    // w1 "dies" as far as the database knows: its lease runs out. (The run also moves to a queue w1
    // does not serve, or w1, very much alive, could take it back itself.)
    await store.pool.query(
      `UPDATE "${schema}".runs SET lease_expires_at = now() - interval '1 second', queue = 'elsewhere' WHERE id = $1`,
      [id],
    );
    await cluster.start("w2");
    expect((await ended(store, id)).status).toBe("completed");
    await until(async () =>
      cluster.events.some((e) => e.type === "run_lost" && e.workerId === "w1") ? true : undefined,
    );
    open();
    await sleep(100);
    // a ran once (finished before the takeover); b was in flight on w1 and ran again on w2.
    expect(ran("a@")).toEqual(["a@w1"]);
    expect(ran("b@")).toEqual(["b@w1", "b@w2"]);
    expect(ran("c@")).toEqual(["c@w2"]);
    expect(executions).toContain("b@w1 resumed aborted");
    const records = await store.listTasks(id);
    expect(records.filter((r) => r.step > 0).map((r) => `${r.node}:${r.writes?.[0]?.[1]}`)).toEqual([
      "a:a@w1",
      "b:b@w2",
      "c:c@w2",
    ]);
    const claims = cluster.events.filter((e) => e.type === "run_claimed" && e.runId === id);
    expect(claims[0]).toMatchObject({ workerId: "w1", attempts: 1 });
    expect(claims[1]).toMatchObject({ workerId: "w2", attempts: 2, takenOverFrom: "w1" });
  });

  it("on stop, gives unfinished runs back at once (no cancelled status), and another worker finishes them", async () => {
    const id = await submit(plain.chain);
    let open!: () => void;
    gates.set(`${id}:b:2`, new Promise((r) => (open = r)));
    const w1 = await cluster.start("w1");
    await until(async () => (executions.includes("b@w1") ? true : undefined));
    const t0 = Date.now();
    await w1.stop(100);
    expect((await store.getRun(id))!.status).toBe("running");
    open();
    await cluster.start("w2");
    expect((await ended(store, id)).status).toBe("completed");
    const claimed = cluster.events.find((e) => e.type === "run_claimed" && e.workerId === "w2")!;
    expect(claimed.at - t0).toBeLessThan(1_000);
    expect(cluster.events.some((e) => e.type === "run_released" && e.runId === id)).toBe(true);
  });

  it("spreads a large Send step over the workers and runs the join once", async () => {
    await cluster.start("w1", { distributeAbove: 8, taskConcurrency: 4 });
    await cluster.start("w2", { distributeAbove: 8, taskConcurrency: 4 });
    const id = await submit(plain.fan, { count: 200 });
    expect((await ended(store, id)).status).toBe("completed");
    const items = ran("item");
    expect(items).toHaveLength(200);
    expect(new Set(items.map((e) => e.split("@")[0])).size).toBe(200);
    expect(new Set(items.map((e) => e.split("@")[1]))).toEqual(new Set(["w1", "w2"]));
    expect(ran("join@")).toHaveLength(1);
    const { state } = await plain.fan.getState(id);
    expect(state.joined).toEqual(["200"]);
    expect([...state.seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const { rows } = await store.pool.query(`SELECT count(*)::int AS n FROM "${schema}".step_tasks`);
    expect(rows[0].n).toBe(0);
  });

  it("retries a distributed task later through the queue, not in place", async () => {
    await cluster.start("w1", { distributeAbove: 4, yieldAfterMs: 300 });
    await cluster.start("w2", { distributeAbove: 4, yieldAfterMs: 300 });
    const id = await submit(plain.fan, { count: 10, mode: "flaky" });
    expect((await ended(store, id)).status).toBe("completed");
    const record = (await store.listTasks(id)).find((r) => r.taskId === "item#3")!;
    expect(record).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(record.history?.map((h) => h.error?.message)).toEqual([
      "flaky failure 1",
      "flaky failure 2",
      undefined,
    ]);
    const yielded = cluster.events.filter((e) => e.type === "task_finished" && e.outcome === "yielded");
    expect(yielded).toHaveLength(2);
    expect(ran("join@")).toHaveLength(1);
  });

  it("fails a run whose distributed task failed for good, undoing finished tasks and earlier steps in reverse order", async () => {
    await cluster.start("w1", { distributeAbove: 4 });
    await cluster.start("w2", { distributeAbove: 4 });
    const id = await submit(plain.fan, { count: 8, mode: "fail" });
    const run = await ended(store, id);
    expect(run.status).toBe("compensated");
    expect(run.error).toMatchObject({ code: "NODE_FAILED", node: "item" });
    expect(run.error!.message).toBe('Node "item" failed: item 3 is broken');
    const undos = executions.filter((e) => e.startsWith("undo"));
    expect(undos.at(-1)).toBe("undo reserve");
    expect(undos.slice(0, -1).sort()).toEqual([
      "undo 0",
      "undo 1",
      "undo 2",
      "undo 4",
      "undo 5",
      "undo 6",
      "undo 7",
    ]);
    expect(ran("join@")).toHaveLength(0);
  });

  it("ends a run a distributed task aborted on purpose", async () => {
    await cluster.start("w1", { distributeAbove: 4 });
    const id = await submit(plain.fan, { count: 8, mode: "abort" });
    const run = await ended(store, id);
    expect(run.status).toBe("compensated");
    expect(run.error).toMatchObject({
      code: "RUN_ABORTED",
      message: 'Node "item" ended the run: item 3 says stop',
    });
    expect(executions).toContain("undo reserve");
  });

  it("pauses a run when a distributed task interrupts, and resumes it anywhere", async () => {
    await cluster.start("w1", { distributeAbove: 4 });
    const id = await submit(plain.fan, { count: 8, mode: "interrupt" });
    const run = await ended(store, id);
    expect(run.status).toBe("interrupted");
    expect(run.interrupts).toEqual([{ taskId: "item#3", node: "item", step: 3, payload: { approve: 3 } }]);
    // The lease ends just after the status is stored.
    await until(async () => ((await store.getLease(id)) ? undefined : true));
    // A worker never takes an interrupted run; `baton resume` continues it in its own process.
    await sleep(200);
    expect((await store.getRun(id))!.status).toBe("interrupted");
    const result = await plain.fan.resume(id, "yes");
    expect(result.status).toBe("completed");
    expect(executions).toContain("item3 answered yes");
    expect(ran("item").length).toBe(9);
    expect(result.state.joined).toEqual(["8"]);
  });

  it("cancels a run in a distributed step from another process: tasks withdrawn, nothing more runs", async () => {
    await cluster.start("w1", { distributeAbove: 4, taskConcurrency: 2 });
    await cluster.start("w2", { distributeAbove: 4, taskConcurrency: 2 });
    const id = await submit(plain.fan, { count: 40, mode: "slow" });
    await until(async () => (ran("item").length >= 4 ? true : undefined));
    await plain.fan.cancel(id);
    const run = await ended(store, id);
    expect(run.status).toBe("cancelled");
    const { rows } = await store.pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".step_tasks WHERE run_id = $1`,
      [id],
    );
    expect(rows[0].n).toBe(0);
    const after = ran("item").length;
    await sleep(400);
    expect(ran("item").length).toBe(after);
    expect(after).toBeLessThan(40);
  });

  it("finishes a distributed step whose driver lost its run: the new driver waits for the same tasks, the join runs once", async () => {
    await cluster.start("w1", { distributeAbove: 4, taskConcurrency: 3, queues: ["default"] });
    const id = await submit(plain.fan, { count: 24, mode: "slow" });
    await until(async () => (cluster.events.some((e) => e.type === "step_distributed") ? true : undefined));
    // w1 loses the run (its offered tasks stay in "default", where w1 keeps running them); only w2
    // may take the run, and w2 would run a 24-task step itself: it must wait for the offered tasks.
    await store.pool.query(
      `UPDATE "${schema}".runs SET lease_expires_at = now() - interval '1 second', queue = 'elsewhere' WHERE id = $1`,
      [id],
    );
    await cluster.start("w2", { distributeAbove: 1_000, taskConcurrency: 3 });
    expect((await ended(store, id)).status).toBe("completed");
    expect(ran("item")).toHaveLength(24);
    expect(new Set(ran("item").map((e) => e.split("@")[0])).size).toBe(24);
    expect(ran("join@")).toEqual(["join@w2"]);
    // (Workers sharing one process may claim it a few times while the lost driver unwinds: the engine
    // refuses a second execution of a run in one process, and the claim is given back.)
    const claims = cluster.events.filter((e) => e.type === "run_claimed" && e.runId === id);
    expect(claims[0]).toMatchObject({ workerId: "w1", attempts: 1 });
    expect(claims.at(-1)).toMatchObject({ workerId: "w2" });
    expect(cluster.events.filter((e) => e.type === "step_distributed").map((e) => e.workerId)).toEqual([
      "w1",
      "w2",
    ]);
  });

  it("takes over a half-done distributed step: finished tasks stand, a failure stands, the rest run", async () => {
    // The state a driver leaves when it dies mid-step: checkpoint 2 names the eight items; item 0
    // finished and item 3 failed for good; nothing settled yet; its lease has run out.
    const id = await submit(plain.fan, { count: 8, mode: "fail" });
    await store.claimRun("dead", 60_000);
    await store.updateRun(id, { status: "running" });
    const rec = (step: number, taskId: string, node: string, over: Partial<TaskRecord> = {}): TaskRecord => ({
      runId: id,
      step,
      taskId,
      node,
      status: "succeeded",
      attempts: 1,
      writes: [],
      seq: step,
      startedAt: 1,
      finishedAt: 2,
      ...over,
    });
    await store.putTask(
      rec(0, "__input__", "__input__", {
        writes: [
          ["count", 8],
          ["mode", "fail"],
        ],
        seq: 0,
      }),
    );
    await store.putTask(rec(1, "reserve", "reserve"));
    await store.putTask(rec(2, "plan", "plan"));
    const items = Array.from({ length: 8 }, (_, i) => ({ id: `item#${i}`, node: "item", input: i }));
    for (const [step, next] of [
      [0, [{ id: "reserve", node: "reserve" }]],
      [1, [{ id: "plan", node: "plan" }]],
      [2, items],
    ] as const)
      await store.putCheckpoint({ runId: id, step, next, joins: {}, createdAt: 3 });
    await store.putTask(rec(3, "item#0", "item", { writes: [["seen", 0]], seq: 3 }));
    const cause = { name: "NonRetryableError", message: "item 3 is broken", code: "NON_RETRYABLE" };
    await store.putTask(rec(3, "item#3", "item", { status: "failed", error: cause, seq: 0 }));
    await store.pool.query(`UPDATE "${schema}".runs SET lease_expires_at = now() WHERE id = $1`, [id]);

    await cluster.start("w1", { distributeAbove: 2 });
    const run = await ended(store, id);
    expect(run.status).toBe("compensated");
    expect(run.error!.message).toBe('Node "item" failed: item 3 is broken');
    expect(
      ran("item")
        .map((e) => e.split("@")[0])
        .sort(),
    ).toEqual(["item1", "item2", "item4", "item5", "item6", "item7"]);
    expect(cluster.events.find((e) => e.type === "step_distributed")).toMatchObject({ step: 3, tasks: 6 });
    const undos = executions.filter((e) => e.startsWith("undo"));
    expect(undos.sort()).toEqual([
      "undo 0",
      "undo 1",
      "undo 2",
      "undo 4",
      "undo 5",
      "undo 6",
      "undo 7",
      "undo reserve",
    ]);
  });

  it("fails a run no worker can execute, saying why", async () => {
    await cluster.start("w1");
    const id = await submit({ name: "nowhere", hash: "x" });
    const run = await ended(store, id);
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/no workflow "nowhere"/);
  });

  it("carries out a cancellation requested while the run waited in the queue", async () => {
    const id = await submit(plain.chain);
    await store.updateRun(id, { cancelRequested: { compensate: false } });
    await cluster.start("w1");
    expect((await ended(store, id)).status).toBe("cancelled");
    expect(executions).toEqual([]);
  });

  it("holds a queue's concurrency limit across workers", async () => {
    await store.setQueueConcurrency("narrow", 2);
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => submit(plain.fan, { count: 1, mode: "slow" }, { queue: "narrow" })),
    );
    await Promise.all(["w1", "w2", "w3"].map((w) => cluster.start(w)));
    const leases = sampleLeases(store, schema, "narrow", 10);
    for (const id of ids) expect((await ended(store, id)).status).toBe("completed");
    expect(await leases.stop()).toBe(2);
  });
});
