import { afterEach, describe, expect, it } from "vitest";
import { client, type TestApp, testApp, until } from "./fixtures.js";

let t: TestApp;
afterEach(async () => t?.close());

type Api = ReturnType<typeof client>;
const statusOf = async (api: Api, id: string) => (await api.get(`/api/runs/${id}`)).body.run.status as string;
const reach = (api: Api, id: string, status: string) =>
  until(async () => ((await statusOf(api, id)) === status ? true : undefined));

describe("runs API: resume, retry, fork, cancel", () => {
  it("resumes an interrupted run with a value, which the waiting node receives", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "r1", input: { topic: "urgent" } });
    await reach(api, "r1", "interrupted");
    const paused = (await api.get("/api/runs/r1")).body;
    expect(paused.run.interrupts).toEqual([
      { taskId: "ask", node: "ask", step: 2, payload: { question: "approve?" } },
    ]);
    expect(paused.next.map((n: { node: string }) => n.node)).toEqual(["ask"]);

    const value = { approved: true, assignee: "sam" };
    const res = await api.post("/api/runs/r1/resume", { value });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ runId: "r1", status: "running" });
    await reach(api, "r1", "completed");
    const done = (await api.get("/api/runs/r1")).body;
    expect(done.state).toEqual({ topic: "urgent", decision: value, route: ["triage", "ask", "done"] });
    expect(done.run.interrupts).toBeUndefined();
  });

  it("refuses to resume a run that is not waiting (409), or one a live owner drives (RUN_BUSY, 409)", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "calm", input: { topic: "calm" } });
    await reach(api, "calm", "completed");
    const res = await api.post("/api/runs/calm/resume", { value: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/completed.*only interrupted/);
    await t.store.createRun({
      id: "busy",
      graph: "approval",
      graphHash: (await t.store.getRun("calm"))!.graphHash,
      status: "running",
      input: {},
      owner: { id: "another-process", leaseMs: 60_000 },
    });
    const busy = await api.post("/api/runs/busy/resume", {});
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe("RUN_BUSY");
    expect(busy.body.error.message).toContain("another-process");
    expect((await t.store.getRun("busy"))?.owner?.id).toBe("another-process");
    // Its owner is alive: not crashed. One with no owner at all is.
    expect((await api.get("/api/runs")).body.crashed).toEqual([]);
    await t.store.releaseRun("another-process", "busy");
    expect((await api.get("/api/runs")).body.crashed).toEqual(["busy"]);
    expect((await api.get("/api/runs/busy")).body.crashed).toMatchObject({ why: "released" });
  });

  it("pages a run's history, and refuses a run id of another workflow (409 RUN_CONFLICT)", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "hist", input: { topic: "calm" }, by: "ana" });
    await reach(api, "hist", "completed");
    const first = await api.get("/api/runs/hist/history?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: { type: string }) => e.type)).toEqual(["run_created", "attempt"]);
    expect(first.body.events[0].by).toEqual({ via: "api", who: "ana" });
    const rest = await api.get(`/api/runs/hist/history?after=${first.body.next}`);
    expect(rest.body.events.at(-1).type).toBe("run_finished");
    expect(rest.body.next).toBeNull();
    expect((await api.get("/api/runs/nope/history")).status).toBe(404);
    const clash = await api.post("/api/runs", { workflow: "flaky", runId: "hist" });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("RUN_CONFLICT");
    expect(clash.body.error.message).toContain('workflow "approval"');
  });

  it("retries a failed run from its last checkpoint: finished steps do not run again", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "flaky", runId: "f1" });
    await reach(api, "f1", "failed");
    expect((await api.get("/api/runs/f1")).body.run.error.message).toContain("shaky is down");
    expect((await api.post("/api/runs/f1/resume", {})).status).toBe(409);
    t.broken.on = false;
    const res = await api.post("/api/runs/f1/retry");
    expect(res.status).toBe(202);
    await reach(api, "f1", "completed");
    const done = (await api.get("/api/runs/f1")).body;
    expect(done.state.log).toEqual(["first", "shaky"]);
    expect(done.run.error).toBeUndefined();
    expect((await api.post("/api/runs/f1/retry")).status).toBe(409);
  });

  it("forks a run from a checkpoint with a state edit into a new run", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "src", input: { topic: "calm" } });
    await reach(api, "src", "completed");
    const fork = await api.post("/api/runs/src/fork", {
      step: 1,
      update: { topic: "urgent" },
      runId: "forked",
    });
    expect(fork.status).toBe(201);
    expect(fork.body).toMatchObject({ runId: "forked", created: true });
    // The edit happened after triage routed: the run goes on along the path already chosen.
    await reach(api, "forked", "completed");
    const detail = (await api.get("/api/runs/forked")).body;
    expect(detail.run.parent).toEqual({ runId: "src", step: 1 });
    expect((await api.get("/api/runs/src")).body.forks).toEqual(["forked"]);
    expect(detail.state).toMatchObject({ topic: "urgent", route: ["triage", "auto", "done"] });
    const missing = await api.post("/api/runs/src/fork", { step: 42 });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ field: "step" });
    expect(missing.body.error.message).toContain("0, 1, 2, 3");
    expect((await api.post("/api/runs/src/fork", { step: 1, runId: "forked" })).status).toBe(409);
    const badEdit = await api.post("/api/runs/src/fork", { step: 1, update: { nope: 1 } });
    expect(badEdit.status).toBe(400);
  });

  it("cancels a running run; with compensate its finished steps are undone in reverse", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "mini-saga", runId: "slow", input: { delayMs: 60_000 } });
    await until(async () => (t.control.isLocal("slow") ? true : undefined));
    const plain = await api.post("/api/runs/slow/cancel", {});
    expect(plain.status).toBe(202);
    expect(plain.body.status).toBe("cancelled");

    await t.store.createRun({ id: "x", graph: "mini-saga", graphHash: "x", status: "completed", input: {} });
    expect((await api.post("/api/runs/x/cancel", {})).status).toBe(409);

    await api.post("/api/runs", { workflow: "mini-saga", runId: "undo", input: { delayMs: 30 } });
    await until(async () => {
      const d = (await api.get("/api/runs/undo")).body;
      return d.tasks.some(
        (x: { taskId: string; status: string }) => x.taskId === "pay" && x.status === "succeeded",
      )
        ? true
        : undefined;
    });
    const res = await api.post("/api/runs/undo/cancel", { compensate: true });
    expect(res.body.status).toBe("compensated");
    const detail = (await api.get("/api/runs/undo")).body;
    expect(detail.compensations.every((c: { status: string }) => c.status === "done")).toBe(true);
    expect(t.undos.at(-1)).toBe("reserve");
    expect(t.undos).toContain("pay");
  });

  it("cancels an interrupted run without any process running it", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "wait", input: { topic: "urgent" } });
    await reach(api, "wait", "interrupted");
    const res = await api.post("/api/runs/wait/cancel");
    expect(res.body.status).toBe("cancelled");
  });

  it("answers 422 when the run's workflow is not known to this server", async () => {
    t = testApp();
    const api = client(t.app);
    await t.store.createRun({
      id: "alien",
      graph: "elsewhere",
      graphHash: "x",
      status: "interrupted",
      input: {},
    });
    const res = await api.post("/api/runs/alien/resume", { value: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("WORKFLOW_UNAVAILABLE");
    const detail = (await api.get("/api/runs/alien")).body;
    expect(detail.workflow).toMatchObject({ available: false });
    expect(detail.state).toBeUndefined();
  });
});
