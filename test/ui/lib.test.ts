/** The dashboard's pure parts: graph layout, the run drawn on it, the timeline, its scale, forms, the list address and the state diff. */
import { afterEach, describe, expect, it } from "vitest";
import type { GraphView, RunDetail } from "../../src/http/api-types.js";
import { graphView } from "../../src/http/graph-view.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { diffStates } from "../../ui/src/lib/diff.js";
import { buildTimeline, type RowSeed } from "../../ui/src/lib/history-timeline.js";
import { END, layoutGraph, START } from "../../ui/src/lib/layout.js";
import { nodeStates, takenEdges } from "../../ui/src/lib/overlay.js";
import { apiQuery, readListState, writeListState } from "../../ui/src/lib/run-query.js";
import { answerOf, planForm } from "../../ui/src/lib/schema-form.js";
import { makeScale } from "../../ui/src/lib/time-scale.js";
import { approvalGraph, client, sagaGraph, type TestApp, testApp, until } from "../http/fixtures.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const layerOf = (graph: GraphView, id: string) => layoutGraph(graph).nodes.find((n) => n.id === id)!;

/** Run a workflow of the test app to its end and return what the run page gets. */
async function detailOf(workflow: string, input: Record<string, unknown>): Promise<RunDetail> {
  t = testApp();
  const api = client(t.app);
  const { body } = await api.post("/api/runs", { workflow, input });
  return until(async () => {
    const d = (await api.get(`/api/runs/${body.runId}`)).body as RunDetail;
    return ["running", "compensating"].includes(d.run.status) ? undefined : d;
  });
}

describe("layered layout", () => {
  it("puts START on top, END at the bottom, parallel branches side by side, a join below both", () => {
    const g = graphView(sagaGraph(new MemoryStore()));
    const l = layoutGraph(g);
    expect(layerOf(g, START).layer).toBe(0);
    expect(layerOf(g, "reserve").layer).toBe(1);
    const pay = layerOf(g, "pay");
    const notify = layerOf(g, "notify");
    expect(pay.layer).toBe(2);
    expect(notify.layer).toBe(2);
    expect(pay.y).toBe(notify.y);
    expect(Math.abs(pay.x - notify.x)).toBeGreaterThanOrEqual(pay.width);
    expect(layerOf(g, "ship").layer).toBe(3);
    expect(layerOf(g, END).layer).toBe(4);
    for (const a of l.nodes)
      for (const b of l.nodes)
        if (a !== b && a.layer === b.layer) expect(a.x + a.width <= b.x || b.x + b.width <= a.x).toBe(true);
    expect(
      l.edges
        .filter((e) => e.kind === "join")
        .map((e) => e.from)
        .sort(),
    ).toEqual(["notify", "pay"]);
    expect(l.width).toBeGreaterThan(0);
  });

  it("draws router paths with their labels and routes loops back up", () => {
    const g = graphView(approvalGraph(new MemoryStore()));
    const l = layoutGraph(g);
    const human = l.edges.find((e) => e.from === "triage" && e.to === "ask")!;
    expect(human).toMatchObject({ kind: "branch", label: "needs_human", back: false });
    const looped: GraphView = { ...g, edges: [...g.edges, { from: "done", to: "triage" }] };
    const loop = layoutGraph(looped).edges.find((e) => e.from === "done" && e.to === "triage")!;
    expect(loop.back).toBe(true);
    expect(layerOf(looped, "triage").layer).toBe(1);
  });
});

describe("the run on its graph", () => {
  it("marks the failed node, the undone ones, and the path taken", async () => {
    const d = await detailOf("mini-saga", { failAt: "ship" });
    const g = graphView(sagaGraph(new MemoryStore()));
    const states = nodeStates(g, d);
    expect(states.get("ship")).toMatchObject({ status: "failed", runs: 1 });
    expect(states.get("pay")).toMatchObject({ status: "succeeded", undo: "done" });
    expect(states.get("reserve")?.undo).toBe("done");
    const taken = takenEdges(g, d).map((e) => `${e.from}>${e.to}`);
    expect(taken.sort()).toEqual(
      [`${START}>reserve`, "notify>ship", "pay>ship", "reserve>notify", "reserve>pay"].sort(),
    );
  });

  it("shows a paused node as interrupted and only the branch the router took", async () => {
    const d = await detailOf("approval", { topic: "urgent" });
    const g = graphView(approvalGraph(new MemoryStore()));
    const states = nodeStates(g, d);
    expect(states.get("ask")?.status).toBe("interrupted");
    expect(states.get("auto")?.status).toBe("idle");
    expect(states.get("done")?.status).toBe("idle");
    const taken = takenEdges(g, d).map((e) => `${e.from}>${e.to}`);
    expect(taken).toContain("triage>ask");
    expect(taken).not.toContain("triage>auto");
    expect(taken.some((e) => e.endsWith(END))).toBe(false);
  });
});

const label = (r: RowSeed) => r.taskId ?? `undo ${r.node}`;
const timeline = (d: RunDetail, now = Date.now()) => buildTimeline(d, now, label);

describe("timeline from the run history", () => {
  it("gives each attempt its own bar, backoff between them, and one row per undo with its own times", async () => {
    const d = await detailOf("mini-saga", { failAt: "ship" });
    const tl = timeline(d);
    const ship = tl.rows.find((r) => r.node === "ship" && r.group === "task")!;
    expect(ship.step).toBe(3);
    expect(ship.bars.map((s) => s.kind)).toEqual(["failed", "backoff", "failed"]);
    expect(ship.bars.filter((s) => s.attempt).map((s) => s.attempt)).toEqual([1, 2]);
    expect(ship.bars[0]!.note).toContain("ship broke");
    expect(ship.attempts).toBe(2);
    const undos = tl.rows.filter((r) => r.group === "undo");
    expect(undos.map((r) => r.node).at(-1)).toBe("reserve");
    expect(undos.map((r) => r.node).sort()).toEqual(["notify", "pay", "reserve"]);
    const shipEnd = ship.bars.at(-1)!.end;
    for (const r of undos) {
      expect(r.bars[0]!.kind).toBe("undo");
      // Each undo's real start, not the end of the task before it.
      expect(r.bars[0]!.start).toBeGreaterThanOrEqual(shipEnd);
      expect(r.bars[0]!.end - r.bars[0]!.start).toBeLessThan(1000);
    }
    expect(tl.marks.map((m) => m.type)).toEqual(expect.arrayContaining(["run_created", "run_finished"]));
  });

  it("keeps every attempt after a retry, and marks the retry", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "flaky", runId: "f", input: {} });
    await until(async () => ((await api.get("/api/runs/f")).body.run.status === "failed" ? true : undefined));
    t.broken.on = false;
    await api.post("/api/runs/f/retry", { by: "ops" });
    const done = await until(async () => {
      const d = (await api.get("/api/runs/f")).body as RunDetail;
      return d.run.status === "completed" ? d : undefined;
    });
    const tl = timeline(done);
    const shaky = tl.rows.find((r) => r.node === "shaky")!;
    expect(shaky.bars.map((b) => b.kind)).toEqual(["failed", "succeeded"]);
    expect(tl.marks.find((m) => m.type === "retried")!.label).toBe("retried by ops (api)");
  });

  it("draws the wait for input as waiting, and the answer with who gave it", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "p", input: { topic: "urgent" } });
    await until(async () =>
      (await api.get("/api/runs/p")).body.run.status === "interrupted" ? true : undefined,
    );
    const paused = (await api.get("/api/runs/p")).body as RunDetail;
    const waiting = timeline(paused, Date.now() + 1000).rows.find((r) => r.node === "ask")!;
    expect(waiting.bars.map((s) => s.kind)).toEqual(["interrupted", "waiting"]);
    expect(waiting.bars[1]!.open).toBe(true);
    await api.post("/api/runs/p/resume", { value: { approved: true }, by: "dana" });
    const done = await until(async () => {
      const d = (await api.get("/api/runs/p")).body as RunDetail;
      return d.run.status === "completed" ? d : undefined;
    });
    const tl = timeline(done);
    const ask = tl.rows.find((r) => r.node === "ask")!;
    expect(ask.bars.map((s) => s.kind)).toEqual(["interrupted", "waiting", "succeeded"]);
    expect(tl.marks.find((m) => m.type === "interrupt_answered")!.label).toContain("approved by dana (api)");
  });

  it("draws a durable sleep as waiting between the attempt that slept and the one that woke", async () => {
    const d = await detailOf("mini-saga", {});
    const t0 = d.run.createdAt;
    const ref = { runId: d.run.id, step: 1, taskId: "reserve", node: "reserve" };
    const history = [
      d.history[0]!,
      {
        ...ref,
        seq: 2,
        at: t0 + 10,
        type: "attempt",
        attempt: 1,
        startedAt: t0,
        finishedAt: t0 + 10,
        outcome: "waiting",
      },
      { ...ref, seq: 3, at: t0 + 10, type: "wait_started", kind: "sleep", until: t0 + 500 },
      {
        ...ref,
        seq: 4,
        at: t0 + 510,
        type: "attempt",
        attempt: 1,
        startedAt: t0 + 500,
        finishedAt: t0 + 510,
        outcome: "succeeded",
      },
    ];
    const tl = timeline({ ...d, history } as unknown as RunDetail);
    const reserve = tl.rows.find((r) => r.node === "reserve")!;
    expect(reserve.bars.map((b) => [b.kind, b.start - t0, b.end - t0])).toEqual([
      ["interrupted", 0, 10],
      ["waiting", 10, 500],
      ["succeeded", 500, 510],
    ]);
    expect(reserve.bars[1]!.note).toContain("reserve sleeps until");
  });

  it("draws entries of kinds it does not know as generic marks", async () => {
    const d = await detailOf("mini-saga", {});
    const odd = {
      ...d,
      history: [
        ...d.history,
        { type: "sleep_started", runId: d.run.id, at: d.run.updatedAt, seq: 999, until: 5 },
      ],
    };
    const tl = timeline(odd as unknown as RunDetail);
    const mark = tl.marks.find((m) => m.type === "sleep_started")!;
    expect(mark.tone).toBe("other");
    expect(mark.label).toContain("sleep started");
  });
});

describe("time scale", () => {
  it("keeps short stretches readable beside long ones, and its labels apart", () => {
    const points = [0, 6, 12, 18, 2000, 46_000];
    const s = makeScale(0, 46_000, points, "compressed");
    expect(s.x(6) - s.x(0)).toBeGreaterThan(2);
    expect(s.x(46_000)).toBe(100);
    const linear = makeScale(0, 46_000, points, "linear");
    expect(linear.x(6) - linear.x(0)).toBeLessThan(0.1);
    for (const scale of [s, linear])
      for (let i = 1; i < scale.ticks.length; i++)
        expect(scale.ticks[i]!.pct - scale.ticks[i - 1]!.pct).toBeGreaterThanOrEqual(12);
  });
});

describe("approval form from the interrupt's schema", () => {
  const schema = {
    type: "object",
    properties: {
      approved: { type: "boolean" },
      assignee: { type: "string", maxLength: 200 },
      priority: { type: "integer" },
    },
    required: ["approved"],
  };
  it("makes the decision the Approve and Reject buttons, and the other fields inputs", () => {
    const plan = planForm(schema)!;
    expect(plan.decision).toBe("approved");
    expect(plan.fields.map((f) => `${f.name}:${f.kind}`)).toEqual([
      "approved:boolean",
      "assignee:string",
      "priority:integer",
    ]);
    expect(answerOf(plan, { assignee: " dana " }, false)).toEqual({
      value: { approved: false, assignee: "dana" },
    });
    expect(answerOf(plan, { priority: "1.5" }, true)).toEqual({
      field: "priority",
      message: "priority must be a whole number",
    });
    expect(planForm(undefined)).toBeUndefined();
  });
});

describe("runs list address", () => {
  it("reads and writes only what differs from the defaults, and asks the API in epoch ms", () => {
    const s = readListState(
      "?q=tokyo&status=failed,cancelled&sort=duration&order=asc&offset=50&limit=20&from=2026-01-01T00:00",
    );
    expect(s).toMatchObject({
      q: "tokyo",
      statuses: ["failed", "cancelled"],
      sort: "duration",
      order: "asc",
      offset: 50,
      limit: 20,
    });
    expect(writeListState(readListState(""))).toBe("");
    const q = new URLSearchParams(apiQuery(s));
    expect(q.get("from")).toBe(String(new Date("2026-01-01T00:00").getTime()));
    expect(q.get("status")).toBe("failed,cancelled");
  });
});

describe("state diff", () => {
  it("reports added, removed and changed paths, and appended list items", () => {
    const before = { a: 1, list: ["x"], nested: { keep: true, gone: 1, v: "old" } };
    const after = { a: 2, list: ["x", "y"], nested: { keep: true, v: "new", added: [1] }, b: null };
    expect(diffStates(before, after)).toEqual([
      { path: "a", kind: "changed", before: 1, after: 2 },
      { path: "list[1]", kind: "added", after: "y" },
      { path: "nested.gone", kind: "removed", before: 1 },
      { path: "nested.v", kind: "changed", before: "old", after: "new" },
      { path: "nested.added", kind: "added", after: [1] },
      { path: "b", kind: "added", after: null },
    ]);
    expect(diffStates({ x: [1, { y: 2 }] }, { x: [1, { y: 2 }] })).toEqual([]);
  });
});
