import { expect, it } from "vitest";
import type { Checkpoint, NewRun, TaskRecord } from "../../../src/engine/records.js";
import type { Store } from "../../../src/engine/store.js";
import { uid } from "./helpers.js";

const newRun = (over: Partial<NewRun> = {}): NewRun => ({
  id: uid(),
  graph: "g",
  graphHash: "h1",
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
  startedAt: 1000 + step,
  finishedAt: 2000 + step,
  ...over,
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `Store` interface on its own: what every implementation must do, method by method. */
export function recordContract(store: () => Store): void {
  it("creates a run once; the same id again returns the stored run unchanged", async () => {
    const s = store();
    const run = newRun({ parent: { runId: "p", step: 3 }, queue: "q" });
    const first = await s.createRun(run);
    expect(first.created).toBe(true);
    expect(first.run).toMatchObject({ ...run, step: 0 });
    expect(typeof first.run.createdAt).toBe("number");
    expect(first.run.updatedAt).toBeGreaterThanOrEqual(first.run.createdAt);
    const again = await s.createRun({ ...run, graph: "other", status: "pending", input: { b: 2 } });
    expect(again.created).toBe(false);
    expect(again.run).toEqual(first.run);
    expect(await s.getRun(run.id)).toEqual(first.run);
    expect(await s.getRun("no-such-run")).toBeUndefined();
  });

  it("keeps a child run's link to the task that started it, and lists it among its parent's runs", async () => {
    const s = store();
    const parent = newRun();
    await s.createRun(parent);
    const link = { runId: parent.id, step: 2, taskId: "pay#1", kind: "child" as const };
    const { run } = await s.createRun(newRun({ parent: link }));
    expect(run.parent).toEqual(link);
    expect((await s.getRun(run.id))?.parent).toEqual(link);
    const fork = await s.createRun(newRun({ parent: { runId: parent.id, step: 1 } }));
    expect(fork.run.parent).toEqual({ runId: parent.id, step: 1 });
    const listed = await s.listRuns({ parent: parent.id });
    expect(listed.map((r) => r.id).sort()).toEqual([run.id, fork.run.id].sort());
  });

  it("gives a run the default queue and keeps any JSON input", async () => {
    const s = store();
    const input = {
      text: 'héllo ✓ \u0000 "quoted"',
      nested: { list: [1, null, { x: true }] },
      big: "x".repeat(50_000),
    };
    const { run } = await s.createRun(newRun({ input }));
    expect(run.queue).toBe("default");
    expect((await s.getRun(run.id))!.input).toEqual(input);
  });

  it("patches a run: given fields are set, `clear` removes, unknown runs are ignored", async () => {
    const s = store();
    const { run } = await s.createRun(newRun());
    const error = { name: "Error", message: "boom", code: "NODE_FAILED", node: "n" };
    const interrupts = [{ taskId: "ask", node: "ask", step: 2, payload: { question: "ok?" } }];
    await pause(2);
    await s.updateRun(run.id, {
      status: "interrupted",
      step: 2,
      error,
      interrupts,
      cancelRequested: { compensate: true },
      graphHash: "h2",
    });
    const patched = (await s.getRun(run.id))!;
    expect(patched).toMatchObject({ status: "interrupted", step: 2, error, interrupts, graphHash: "h2" });
    expect(patched.cancelRequested).toEqual({ compensate: true });
    expect(patched.updatedAt).toBeGreaterThan(run.updatedAt);
    expect(patched.createdAt).toBe(run.createdAt);

    // A key both given and cleared is set; the others are removed.
    await s.updateRun(run.id, {
      status: "running",
      error,
      clear: ["error", "interrupts", "cancelRequested"],
    });
    const cleared = (await s.getRun(run.id))!;
    expect(cleared.status).toBe("running");
    expect(cleared.error).toEqual(error);
    expect(cleared.interrupts).toBeUndefined();
    expect(cleared.cancelRequested).toBeUndefined();
    expect(cleared.graphHash).toBe("h2");

    await s.updateRun("no-such-run", { status: "failed" });
    expect(await s.getRun("no-such-run")).toBeUndefined();
  });

  it("stores every field of a task record and replaces it on the same (run, step, task)", async () => {
    const s = store();
    const { run } = await s.createRun(newRun());
    const full = task(run.id, 1, "n#2", {
      status: "retrying",
      attempts: 2,
      writes: [
        ["items", { deep: [1, "two", null] }],
        ["count", 3],
      ],
      goto: ["a", { node: "b", input: { i: 1 } }],
      error: { name: "Error", message: "flaky" },
      nextDueAt: 123456,
      interrupts: [{ q: 1 }],
      resumes: ["yes"],
      history: [{ attempt: 1, startedAt: 1, finishedAt: 2, error: { name: "Error", message: "flaky" } }],
    });
    await s.putTask(full);
    expect(await s.listTasks(run.id)).toEqual([full]);
    const done = task(run.id, 1, "n#2", { status: "succeeded", attempts: 3, writes: [["count", 4]], seq: 7 });
    await s.putTask(done);
    expect(await s.listTasks(run.id)).toEqual([done]);
    const seeded = task(run.id, 0, "__fork__", { writes: [["count", 1]], mode: "set" });
    await s.putTask(seeded);
    expect((await s.listTasks(run.id))[0]).toEqual(seeded);
  });

  it("lists a run's tasks by step, then node name, then send index (numerically)", async () => {
    const s = store();
    const { run } = await s.createRun(newRun());
    const { run: other } = await s.createRun(newRun());
    const ids: Array<[number, string]> = [
      [2, "b"],
      [1, "n#10"],
      [1, "n#2"],
      [1, "n"],
      [1, "m"],
      [10, "a"],
      [1, "n#0"],
    ];
    for (const [step, id] of ids) await s.putTask(task(run.id, step, id));
    await s.putTask(task(other.id, 1, "zzz"));
    const listed = (await s.listTasks(run.id)).map((r) => `${r.step}:${r.taskId}`);
    expect(listed).toEqual(["1:m", "1:n", "1:n#0", "1:n#2", "1:n#10", "2:b", "10:a"]);
    expect(await s.listTasks("no-such-run")).toEqual([]);
  });

  it("writes a checkpoint and moves the run's step with it; the same step again replaces it", async () => {
    const s = store();
    const { run } = await s.createRun(newRun());
    const cp = (step: number, over: Partial<Checkpoint> = {}): Checkpoint => ({
      runId: run.id,
      step,
      next: [
        { id: "a", node: "a" },
        { id: "b#0", node: "b", input: { x: [1, 2] } },
      ],
      joins: { "3": ["a"] },
      createdAt: 5000 + step,
      ...over,
    });
    await s.putCheckpoint(cp(0, { joins: {} }));
    expect((await s.getRun(run.id))!.step).toBe(0);
    await s.putCheckpoint(cp(2));
    await s.putCheckpoint(cp(1));
    expect((await s.getRun(run.id))!.step).toBe(1);
    await s.putCheckpoint(cp(2, { next: [] }));
    expect((await s.getRun(run.id))!.step).toBe(2);
    expect(await s.listCheckpoints(run.id)).toEqual([cp(0, { joins: {} }), cp(1), cp(2, { next: [] })]);
    expect(await s.listCheckpoints("no-such-run")).toEqual([]);
  });

  it("keeps the saga log: one record per undone task, replaced when it changes", async () => {
    const s = store();
    const { run } = await s.createRun(newRun());
    const failed = {
      runId: run.id,
      taskKey: "1:a",
      node: "a",
      status: "failed" as const,
      attempts: 3,
      error: { name: "BatonError", message: "no", code: "COMPENSATION_FAILED" },
      finishedAt: 10,
    };
    await s.putCompensation(failed);
    const done = {
      runId: run.id,
      taskKey: "2:b",
      node: "b",
      status: "done" as const,
      attempts: 1,
      finishedAt: 11,
    };
    await s.putCompensation(done);
    expect(await s.listCompensations(run.id)).toEqual([failed, done]);
    const retried = { ...failed, status: "done" as const, attempts: 4, finishedAt: 12 };
    delete (retried as { error?: unknown }).error;
    await s.putCompensation(retried);
    const listed = await s.listCompensations(run.id);
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual(retried);
    expect(listed).toContainEqual(done);
    expect(await s.listCompensations("no-such-run")).toEqual([]);
  });

  it("lists runs newest first, filtered by status (one or several) and graph, up to a limit", async () => {
    const s = store();
    const made: string[] = [];
    const specs: Array<Partial<NewRun>> = [
      { graph: "alpha", status: "running" },
      { graph: "beta", status: "running" },
      { graph: "alpha", status: "pending" },
      { graph: "alpha", status: "running" },
    ];
    for (const spec of specs) {
      made.push((await s.createRun(newRun(spec))).run.id);
      await pause(2);
    }
    await s.updateRun(made[3]!, { status: "completed" });
    const ids = async (filter: Parameters<Store["listRuns"]>[0]) =>
      (await s.listRuns(filter)).map((r) => r.id);
    expect(await ids(undefined)).toEqual([...made].reverse());
    expect(await ids({ graph: "alpha" })).toEqual([made[3], made[2], made[0]]);
    expect(await ids({ status: "running" })).toEqual([made[1], made[0]]);
    expect(await ids({ status: ["pending", "completed"] })).toEqual([made[3], made[2]]);
    expect(await ids({ status: "running", graph: "alpha" })).toEqual([made[0]]);
    expect(await ids({ graph: "alpha", limit: 2 })).toEqual([made[3], made[2]]);
    expect(await ids({ status: [] })).toEqual([]);
    expect(await ids({ graph: "gamma" })).toEqual([]);
  });

  it("lists runs created in the same millisecond newest first too", async () => {
    const s = store();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await s.createRun(newRun({ graph: "burst" }))).run.id);
    const listed = (await s.listRuns({ graph: "burst" })).map((r) => r.id);
    expect(listed).toEqual([...made].reverse());
  });
}
