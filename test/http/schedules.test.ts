import { afterEach, describe, expect, it } from "vitest";
import { tickSchedules } from "../../src/schedules/index.js";
import { client, type TestApp, testApp } from "./fixtures.js";

let t: TestApp;
afterEach(async () => t?.close());

const del = async (path: string) => {
  const res = await t.app.request(path, { method: "DELETE" });
  return { status: res.status, body: await res.json() };
};

describe("schedules API", () => {
  it("adds, lists, pauses, resumes, triggers and deletes a schedule", async () => {
    t = testApp();
    const api = client(t.app);
    const added = await api.post("/api/schedules", {
      name: "hourly-saga",
      workflow: "mini-saga",
      cron: "0 * * * *",
      tz: "Europe/Paris",
      input: { delayMs: 0 },
      overlap: "allow",
      catchUp: 2,
      by: "ops@example.com",
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name: "hourly-saga",
      workflow: "mini-saga",
      cron: "0 * * * *",
      tz: "Europe/Paris",
      input: { delayMs: 0 },
      overlap: "allow",
      catchUp: 2,
      paused: false,
      lastRun: null,
      lastTickAt: null,
      lastSkip: null,
      createdBy: { via: "api", who: "ops@example.com" },
    });
    expect(added.body.nextAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);

    const paused = await api.post("/api/schedules/hourly-saga/pause");
    expect(paused).toMatchObject({ status: 200, body: { name: "hourly-saga", paused: true } });
    const resumed = await api.post("/api/schedules/hourly-saga/resume");
    expect(resumed).toMatchObject({ status: 200, body: { paused: false, nextAt: added.body.nextAt } });

    const triggered = await api.post("/api/schedules/hourly-saga/trigger", { by: "sam" });
    expect(triggered.status).toBe(201);
    expect(triggered.body).toMatchObject({ created: true, status: "pending" });
    expect(triggered.body.runId).toMatch(/^hourly-saga:manual:/);
    expect(await t.store.getRun(triggered.body.runId)).toMatchObject({
      status: "pending",
      graph: "mini-saga",
      input: { delayMs: 0 },
      createdBy: { via: "api", who: "sam" },
    });

    const list = await api.get("/api/schedules");
    expect(list.status).toBe(200);
    expect(list.body.schedules).toEqual([
      expect.objectContaining({
        name: "hourly-saga",
        lastRun: { id: triggered.body.runId, status: "pending" },
      }),
    ]);
    expect((await api.get("/api/schedules/hourly-saga")).body.name).toBe("hourly-saga");

    expect(await del("/api/schedules/hourly-saga")).toEqual({
      status: 200,
      body: { name: "hourly-saga", deleted: true },
    });
    expect((await api.get("/api/schedules")).body.schedules).toEqual([]);
    expect(await t.store.getRun(triggered.body.runId)).toBeDefined();
  });

  it("shows what a tick started and skipped", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/schedules", { name: "every-second", workflow: "mini-saga", cron: "* * * * * *" });
    const nextAt = Date.parse((await api.get("/api/schedules/every-second")).body.nextAt);
    const lookup = async () => ({ name: "mini-saga", hash: "h" });
    await tickSchedules({ store: t.store, workflow: lookup, now: nextAt });
    await tickSchedules({ store: t.store, workflow: lookup, now: nextAt + 1000 });
    const view = (await api.get("/api/schedules/every-second")).body;
    expect(view).toMatchObject({
      lastTickAt: new Date(nextAt + 1000).toISOString(),
      lastRun: { id: `every-second:${new Date(nextAt).toISOString()}`, status: "pending" },
      lastSkip: { tick: new Date(nextAt + 1000).toISOString(), reason: "overlap", count: 1 },
      nextAt: new Date(nextAt + 2000).toISOString(),
    });
  });

  it("refuses bad schedules with 4xx naming the problem, storing nothing", async () => {
    t = testApp();
    const api = client(t.app);
    const ok = { name: "n", workflow: "mini-saga", cron: "0 2 * * *" };
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ ...ok, cron: "0 99 * * *" }, 400, "SCHEDULE_INVALID", /Bad cron expression "0 99 \* \* \*"/],
      [{ ...ok, tz: "Nowhere/Land" }, 400, "SCHEDULE_INVALID", /Unknown time zone "Nowhere\/Land"/],
      [{ ...ok, workflow: "ghost" }, 400, "BAD_REQUEST", /Unknown workflow "ghost"/],
      [{ ...ok, input: { nope: 1 } }, 400, "INPUT_INVALID", /unknown key\(s\) "nope"/],
      [{ ...ok, name: "a/b" }, 400, "SCHEDULE_INVALID", /Bad schedule name "a\/b"/],
      [{ ...ok, overlap: "queue" }, 400, "BAD_REQUEST", /overlap/],
      [{ ...ok, catchUp: -1 }, 400, "BAD_REQUEST", /catchUp/],
      [{ ...ok, extra: true }, 400, "BAD_REQUEST", /Unknown body field "extra"/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await api.post("/api/schedules", body);
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status, code });
      expect(res.body.error.message).toMatch(message);
    }
    expect((await api.get("/api/schedules")).body.schedules).toEqual([]);
    expect((await api.post("/api/schedules", ok)).status).toBe(201);
    const again = await api.post("/api/schedules", { ...ok, cron: "* * * * *" });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "SCHEDULE_EXISTS" } } });
    for (const path of [
      "/api/schedules/zzz/pause",
      "/api/schedules/zzz/resume",
      "/api/schedules/zzz/trigger",
    ]) {
      const res = await api.post(path);
      expect(res).toMatchObject({ status: 404, body: { error: { code: "SCHEDULE_NOT_FOUND" } } });
    }
    expect((await del("/api/schedules/zzz")).status).toBe(404);
    expect(await t.store.listRuns()).toEqual([]);
  });
});
