import { afterEach, describe, expect, it } from "vitest";
import { client, type TestApp, testApp, until } from "./fixtures.js";

let t: TestApp;
afterEach(async () => t?.close());

const finished = (api: ReturnType<typeof client>, id: string) =>
  until(async () => {
    const r = await api.get(`/api/runs/${id}`);
    return ["running", "compensating"].includes(r.body.run.status) ? undefined : r.body;
  });

describe("runs API: start, read, list", () => {
  it("starts a run in the background and shows its record, state, tasks, checkpoints and events", async () => {
    t = testApp();
    const api = client(t.app);
    const started = await api.post("/api/runs", { workflow: "mini-saga", input: {} });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: "running", created: true });
    const detail = await finished(api, started.body.runId);
    expect(detail.run).toMatchObject({ id: started.body.runId, graph: "mini-saga", status: "completed" });
    expect(detail.workflow).toEqual({ name: "mini-saga", available: true });
    expect(detail.state.log).toEqual(["reserve", "notify", "pay", "ship"]);
    expect(
      detail.tasks.filter((x: { step: number }) => x.step > 0).map((x: { taskId: string }) => x.taskId),
    ).toEqual(["reserve", "notify", "pay", "ship"]);
    expect(detail.checkpoints.map((c: { step: number }) => c.step)).toEqual([0, 1, 2, 3]);
    expect(detail.checkpoints[1].state.log).toEqual(["reserve"]);
    expect(detail.checkpoints[2].next.map((n: { id: string }) => n.id)).toEqual(["ship"]);
    expect(detail.compensations).toEqual([]);
    const types = detail.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe("run_started");
    expect(types.at(-1)).toBe("run_finished");
    expect(detail.local).toBe(false);
  });

  it("treats a caller's run id as an idempotency key", async () => {
    t = testApp();
    const api = client(t.app);
    const first = await api.post("/api/runs", { workflow: "mini-saga", runId: "order-1" });
    expect(first.status).toBe(201);
    await finished(api, "order-1");
    const again = await api.post("/api/runs", { workflow: "mini-saga", runId: "order-1" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ runId: "order-1", status: "completed", created: false });
    expect((await api.get("/api/runs")).body.runs).toHaveLength(1);
  });

  it("records a saga's compensations in reverse order of completion", async () => {
    t = testApp();
    const api = client(t.app);
    const { body } = await api.post("/api/runs", { workflow: "mini-saga", input: { failAt: "ship" } });
    const detail = await finished(api, body.runId);
    expect(detail.run.status).toBe("compensated");
    expect(detail.run.error.message).toContain("ship broke");
    const ship = detail.tasks.find((x: { taskId: string }) => x.taskId === "ship");
    expect(ship).toMatchObject({ status: "failed", attempts: 2 });
    expect(ship.history.map((h: { attempt: number }) => h.attempt)).toEqual([1, 2]);
    expect(detail.compensations.map((c: { node: string }) => c.node).sort()).toEqual([
      "notify",
      "pay",
      "reserve",
    ]);
    expect(t.undos.at(-1)).toBe("reserve");
  });

  it("lists runs newest first, filtered by status and workflow, limited", async () => {
    t = testApp();
    const api = client(t.app);
    const a = (await api.post("/api/runs", { workflow: "mini-saga", runId: "a" })).body.runId;
    await finished(api, a);
    await finished(
      api,
      (await api.post("/api/runs", { workflow: "mini-saga", runId: "b", input: { failAt: "pay" } })).body
        .runId,
    );
    await api.post("/api/runs", { workflow: "approval", runId: "c", input: { topic: "urgent" } });
    await until(async () =>
      (await api.get("/api/runs/c")).body.run.status === "interrupted" ? true : undefined,
    );

    const ids = async (q: string) =>
      (await api.get(`/api/runs${q}`)).body.runs.map((r: { id: string }) => r.id);
    expect(await ids("")).toEqual(["c", "b", "a"]);
    expect(await ids("?status=compensated")).toEqual(["b"]);
    expect(await ids("?status=completed,interrupted")).toEqual(["c", "a"]);
    expect(await ids("?graph=mini-saga")).toEqual(["b", "a"]);
    expect(await ids("?limit=1")).toEqual(["c"]);
  });

  it("answers 404 for an unknown run or endpoint", async () => {
    t = testApp();
    const api = client(t.app);
    const missing = await api.get("/api/runs/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: "NOT_FOUND", message: 'No run with id "nope"' });
    for (const path of ["/api/runs/nope/resume", "/api/runs/nope/cancel", "/api/runs/nope/retry"])
      expect((await api.post(path, {})).status).toBe(404);
    expect((await api.post("/api/runs/nope/fork", { step: 0 })).status).toBe(404);
    expect((await api.get("/api/runs/nope/events")).status).toBe(404);
    expect((await api.get("/api/nothing")).status).toBe(404);
  });
});

describe("runs API: validation", () => {
  it("answers 400 naming the field for a bad body", async () => {
    t = testApp();
    const api = client(t.app);
    const cases: Array<[unknown, string]> = [
      [{}, "workflow"],
      [{ workflow: 3 }, "workflow"],
      [{ workflow: "mini-saga", input: [1] }, "input"],
      [{ workflow: "mini-saga", runId: "has space" }, "runId"],
      [{ workflow: "mini-saga", colour: "red" }, "colour"],
      [{ workflow: "no-such-flow" }, "workflow"],
    ];
    for (const [body, field] of cases) {
      const res = await api.post("/api/runs", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
      expect(res.body.error.message).toContain(field);
    }
    const fork = await api.post("/api/runs/x/fork", { step: -1 });
    expect(fork.body.error).toMatchObject({ field: "step" });
    const cancel = await api.post("/api/runs/x/cancel", { compensate: "yes" });
    expect(cancel.body.error).toMatchObject({ field: "compensate" });
    const list = await api.get("/api/runs?status=finished");
    expect(list.status).toBe(400);
    expect(list.body.error.field).toBe("status");
    expect((await api.get("/api/runs?limit=0")).body.error.field).toBe("limit");
  });

  it("rejects input the workflow's state refuses, creating no run", async () => {
    t = testApp();
    const api = client(t.app);
    const res = await api.post("/api/runs", { workflow: "mini-saga", input: { colour: "red" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INPUT_INVALID");
    expect(res.body.error.message).toContain('"colour"');
    expect((await api.get("/api/runs")).body.runs).toEqual([]);
  });

  it("refuses malformed JSON, non-JSON bodies and bodies over 1 MB", async () => {
    t = testApp();
    const bad = await t.app.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const text = await t.app.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"workflow":"mini-saga"}',
    });
    expect(text.status).toBe(415);
    const big = JSON.stringify({ workflow: "mini-saga", input: { log: ["x".repeat(1024 * 1024)] } });
    const huge = await t.app.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await client(t.app).get("/api/runs")).body.runs).toEqual([]);
  });
});
