/** The dashboard's pure parts: graph layout, the run drawn on it, the timeline and the state diff. */
import { afterEach, describe, expect, it } from "vitest";
import type { GraphView, RunDetail } from "../../src/http/api-types.js";
import { graphView } from "../../src/http/graph-view.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { diffStates } from "../../ui/src/lib/diff.js";
import { END, layoutGraph, START } from "../../ui/src/lib/layout.js";
import { nodeStates, takenEdges } from "../../ui/src/lib/overlay.js";
import { buildTimeline } from "../../ui/src/lib/timeline.js";
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

describe("timeline", () => {
  it("gives each attempt its own bar, backoff between them, and one row per undo in order", async () => {
    const d = await detailOf("mini-saga", { failAt: "ship" });
    const tl = buildTimeline(d, Date.now());
    const ship = tl.rows.find((r) => r.node === "ship" && r.group === "task")!;
    expect(ship.label).toBe("3 · ship");
    expect(ship.segments.map((s) => s.kind)).toEqual(["failed", "backoff", "failed"]);
    expect(ship.segments.filter((s) => s.attempt).map((s) => s.attempt)).toEqual([1, 2]);
    expect(ship.segments[0]!.note).toContain("ship broke");
    const undos = tl.rows.filter((r) => r.group === "undo");
    expect(undos.map((r) => r.node).at(-1)).toBe("reserve");
    expect(undos.map((r) => r.node).sort()).toEqual(["notify", "pay", "reserve"]);
    for (const [i, r] of undos.entries()) {
      expect(r.segments[0]!.kind).toBe("undo");
      if (i > 0) expect(r.segments[0]!.start).toBeGreaterThanOrEqual(undos[i - 1]!.segments[0]!.start);
    }
    expect(tl.start).toBe(d.run.createdAt);
    expect(tl.end).toBeGreaterThanOrEqual(Math.max(...d.compensations.map((c) => c.finishedAt)));
  });

  it("shows a pause, the wait for input, and the attempt after it", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "p", input: { topic: "urgent" } });
    await until(async () =>
      (await api.get("/api/runs/p")).body.run.status === "interrupted" ? true : undefined,
    );
    const paused = (await api.get("/api/runs/p")).body as RunDetail;
    const waiting = buildTimeline(paused, Date.now() + 1000).rows.find((r) => r.node === "ask")!;
    expect(waiting.segments.map((s) => s.kind)).toEqual(["interrupted", "waiting"]);
    await api.post("/api/runs/p/resume", { value: { approved: true } });
    const done = await until(async () => {
      const d = (await api.get("/api/runs/p")).body as RunDetail;
      return d.run.status === "completed" ? d : undefined;
    });
    const ask = buildTimeline(done, Date.now()).rows.find((r) => r.node === "ask")!;
    expect(ask.segments.map((s) => s.kind)).toEqual(["interrupted", "waiting", "succeeded"]);
  });

  it("marks timed-out attempts", () => {
    const run = {
      id: "r",
      graph: "g",
      graphHash: "h",
      status: "failed",
      input: {},
      step: 0,
      queue: "default",
      createdAt: 0,
      updatedAt: 100,
    } as const;
    const error = { name: "NodeTimeoutError", message: "timed out", code: "NODE_TIMEOUT" };
    const detail: RunDetail = {
      run,
      workflow: { name: "g", available: true },
      forks: [],
      next: [],
      tasks: [
        {
          runId: "r",
          step: 1,
          taskId: "a",
          node: "a",
          status: "failed",
          attempts: 1,
          seq: 0,
          startedAt: 10,
          finishedAt: 60,
          error,
          history: [{ attempt: 1, startedAt: 10, finishedAt: 60, error }],
        },
      ],
      checkpoints: [],
      compensations: [],
      events: [],
      local: false,
    };
    expect(buildTimeline(detail, 1000).rows[0]!.segments[0]!.kind).toBe("timeout");
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
