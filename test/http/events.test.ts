import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { approvalGraph, client, openFeed, sagaGraph, type TestApp, testApp, until } from "./fixtures.js";

let t: TestApp;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  await t?.close();
});

const feed = async (path: string) => {
  const res = await t.app.request(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const f = openFeed(res);
  cleanup.push(() => f.close());
  await f.waitFor((e) => e.type === "ready");
  return f;
};

describe("live events (Server-Sent Events)", () => {
  it("streams the engine events of runs this server executes, for all runs", async () => {
    t = testApp();
    const all = await feed("/api/events");
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "mini-saga", runId: "one" });
    await api.post("/api/runs", { workflow: "approval", runId: "two", input: { topic: "urgent" } });
    await all.waitFor((e) => e.type === "run_finished" && e.runId === "one");
    await all.waitFor((e) => e.type === "interrupted" && e.runId === "two");
    const one = all.events.filter((e) => e.runId === "one").map((e) => e.type);
    expect(one[0]).toBe("run_started");
    expect(one.filter((x) => x === "node_succeeded")).toHaveLength(4);
    expect(one).toContain("checkpoint_saved");
  });

  it("streams one run's events only, on its own feed, through resume to the end", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "r", input: { topic: "urgent" } });
    await until(async () =>
      (await api.get("/api/runs/r")).body.run.status === "interrupted" ? true : undefined,
    );
    const mine = await feed("/api/runs/r/events");
    await api.post("/api/runs", { workflow: "mini-saga", runId: "other" });
    await api.post("/api/runs/r/resume", { value: { approved: true } });
    const end = await mine.waitFor((e) => e.type === "run_finished");
    expect(end.status).toBe("completed");
    expect(mine.events.filter((e) => e.type !== "ready").every((e) => e.runId === "r")).toBe(true);
    const started = mine.events.filter((e) => e.type === "node_started").map((e) => e.node);
    expect(started).toEqual(["ask", "done"]);
  });

  it("follows runs executing in another process through the store", async () => {
    t = testApp();
    // A second connection to the same SQLite file stands for a `baton run` in another terminal.
    const elsewhere = openSqliteStore(t.dbPath);
    cleanup.push(() => elsewhere.close());
    const all = await feed("/api/events");
    const approval = approvalGraph(elsewhere);
    await approval.run({ topic: "urgent" }, { runId: "far" });
    const changed = await all.waitFor((e) => e.type === "run_changed" && e.runId === "far");
    expect(changed).toMatchObject({ graph: "approval", status: "interrupted" });
    expect(t.control.isLocal("far")).toBe(false);

    const one = await feed("/api/runs/far/events");
    await approval.resume("far", { approved: false });
    await one.waitFor((e) => e.type === "run_changed" && e.status === "completed");
    expect(one.events.every((e) => e.type === "ready" || e.runId === "far")).toBe(true);
  });

  it("reports task progress of another process's run while it is still running", async () => {
    t = testApp();
    const elsewhere = openSqliteStore(t.dbPath);
    cleanup.push(() => elsewhere.close());
    await sagaGraph(elsewhere).run({ delayMs: 0 }, { runId: "seed" });
    const running = sagaGraph(elsewhere).run({ delayMs: 150 }, { runId: "slow" });
    cleanup.push(() => running);
    const one = await until(async () => ((await t.store.getRun("slow")) ? true : undefined)).then(() =>
      feed("/api/runs/slow/events"),
    );
    const progress = await one.waitFor((e) => e.type === "task_changed");
    expect(progress.tasks).toBeGreaterThan(1);
    await one.waitFor((e) => e.type === "run_changed" && e.status === "completed");
  });

  it("ends open feeds when the server closes", async () => {
    t = testApp();
    const all = await feed("/api/events");
    await t.close();
    await until(async () => (all.ended ? true : undefined), 3_000);
  });
});
