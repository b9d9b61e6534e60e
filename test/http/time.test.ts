import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Store } from "../../src/engine/store.js";
import { type BatonApp, createApp } from "../../src/http/app.js";
import { staticWorkflows } from "../../src/http/workflows.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { defineState, END, START, StateGraph, value } from "../graph/core.js";
import { client, until } from "./fixtures.js";

const State = defineState({ reply: value<string | null>(null) });

/** START -> wait (for "reply", `{ text }`) -> END. */
function replyGraph(store: Store) {
  return new StateGraph(State)
    .addNode("wait", async (_s, ctx) => {
      const got = await ctx.waitForEvent("reply", { schema: z.object({ text: z.string() }) });
      return { reply: got.timedOut ? null : got.payload.text };
    })
    .addEdge(START, "wait")
    .addEdge("wait", END)
    .compile({ store, name: "reply" });
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

function app(): { api: ReturnType<typeof client>; store: Store; baton: BatonApp } {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "baton-http-time-")), "runs.db"));
  const baton = createApp({
    store,
    workflows: staticWorkflows({ reply: replyGraph(store) }),
    uiDir: false,
    pollMs: 50,
  });
  close = async () => {
    await baton.close(1_000);
    await store.close();
  };
  return { api: client(baton.app), store, baton };
}

describe("runs API: events and delayed starts", () => {
  it("delivers a signal to a waiting run, refusing a bad payload, an unknown run and a finished one", async () => {
    const { api, store } = app();
    expect((await api.post("/api/runs", { workflow: "reply", runId: "w1" })).status).toBeLessThan(300);
    await until(async () =>
      (await api.get("/api/runs/w1")).body.run.status === "waiting" ? true : undefined,
    );
    const bad = await api.post("/api/runs/w1/signals/reply", { value: { text: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INPUT_INVALID");
    expect(bad.body.error.message).toContain("text");
    const sent = await api.post("/api/runs/w1/signals/reply", { value: { text: "hi" }, by: "ann" });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ runId: "w1", event: "reply" });
    await until(async () =>
      (await api.get("/api/runs/w1")).body.run.status === "completed" ? true : undefined,
    );
    expect((await api.get("/api/runs/w1")).body.state).toEqual({ reply: "hi" });
    const history = await store.listHistory("w1");
    expect(history.filter((e) => e.type === "event_sent")).toEqual([
      expect.objectContaining({ event: "reply", by: { via: "api", who: "ann" } }),
    ]);
    expect((await api.post("/api/runs/nope/signals/reply", { value: {} })).status).toBe(404);
    const finished = await api.post("/api/runs/w1/signals/reply", { value: { text: "again" } });
    expect(finished.status).toBe(409);
    expect(finished.body.error.message).toContain("completed");
  });

  it("starts a run later with startAt; a time in the past is refused before anything is stored", async () => {
    const { api, store } = app();
    const past = await api.post("/api/runs", {
      workflow: "reply",
      runId: "p",
      startAt: "2001-01-01T00:00:00Z",
    });
    expect(past.status).toBe(400);
    expect(await store.getRun("p")).toBeUndefined();
    const notATime = await api.post("/api/runs", { workflow: "reply", runId: "q", startAt: "tomorrow" });
    expect(notATime.status).toBe(400);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const later = await api.post("/api/runs", { workflow: "reply", runId: "later", startAt: at });
    expect(later.status).toBeLessThan(300);
    const run = (await api.get("/api/runs/later")).body.run;
    expect(run.status).toBe("pending");
    expect(run.wakeAt).toBe(Date.parse(at));
  });
});
