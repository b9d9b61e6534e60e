/** The same API over PostgreSQL: the server only talks to the Store interface. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type BatonApp, createApp } from "../../src/http/app.js";
import { staticWorkflows } from "../../src/http/workflows.js";
import type { PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "../stores/postgres-helpers.js";
import { approvalGraph, client, openFeed, sagaGraph, until } from "./fixtures.js";

const describePg = await describeWithPostgres("HTTP API over PostgreSQL");
const schema = testSchema("http");
let store: PostgresStore;
let worker: PostgresStore;
let baton: BatonApp;

describePg("HTTP API over PostgreSQL", () => {
  beforeAll(async () => {
    store = await openTestStore(schema);
    worker = await openTestStore(schema);
    baton = createApp({
      store,
      workflows: staticWorkflows({ "mini-saga": sagaGraph(store), approval: approvalGraph(store) }),
      uiDir: false,
      pollMs: 50,
    });
  });
  afterAll(async () => {
    await baton?.close(1_000);
    await worker?.close();
    await store?.close();
    await dropSchema(schema);
  });

  it("starts, lists, shows and resumes runs, compensations included", async () => {
    const api = client(baton.app);
    await api.post("/api/runs", { workflow: "mini-saga", runId: "pg-saga", input: { failAt: "ship" } });
    await api.post("/api/runs", { workflow: "approval", runId: "pg-ask", input: { topic: "urgent" } });
    const saga = await until(async () => {
      const d = (await api.get("/api/runs/pg-saga")).body;
      return d.run.status === "compensated" ? d : undefined;
    });
    expect(saga.compensations).toHaveLength(3);
    expect(saga.tasks.find((t: { taskId: string }) => t.taskId === "ship").history).toHaveLength(2);
    expect(saga.checkpoints.map((c: { step: number }) => c.step)).toEqual([0, 1, 2]);
    await until(async () =>
      (await api.get("/api/runs/pg-ask")).body.run.status === "interrupted" ? true : undefined,
    );
    const listed = (await api.get("/api/runs?status=interrupted,compensated")).body.runs.map(
      (r: { id: string }) => r.id,
    );
    expect(listed.sort()).toEqual(["pg-ask", "pg-saga"]);
    await api.post("/api/runs/pg-ask/resume", { value: { approved: true, assignee: "kim" } });
    const done = await until(async () => {
      const d = (await api.get("/api/runs/pg-ask")).body;
      return d.run.status === "completed" ? d : undefined;
    });
    expect(done.state.decision).toEqual({ approved: true, assignee: "kim" });
  });

  it("follows a run another process executes on the same database", async () => {
    const res = await baton.app.request("/api/events");
    const feed = openFeed(res);
    await feed.waitFor((e) => e.type === "ready");
    await approvalGraph(worker).run({ topic: "urgent" }, { runId: "pg-far" });
    // The feed may report the run running first: wait for the state under test.
    const seen = await feed.waitFor(
      (e) => e.type === "run_changed" && e.runId === "pg-far" && e.status === "interrupted",
    );
    expect(seen.status).toBe("interrupted");
    await feed.close();
  });
});
