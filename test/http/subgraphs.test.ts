/** Subgraph and child runs through the HTTP API, over a real SQLite file: links, nested graphs, nested history. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { type BatonApp, createApp } from "../../src/http/app.js";
import { staticWorkflows } from "../../src/http/workflows.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { client, until } from "./fixtures.js";
import { paperGraph, receiptGraph } from "./subgraph-fixtures.js";

let opened: { baton: BatonApp; store: Store } | undefined;
afterEach(async () => {
  await opened?.baton.close(1_000);
  await opened?.store.close();
  opened = undefined;
});

/** `paper` (intro -> review[draft -> deep[dig] -> check] -> bill, which runs `receipt`), run to its end. */
async function finishedPaper() {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "baton-http-sub-")), "runs.db"));
  const receipt = receiptGraph(store);
  const baton = createApp({
    store,
    workflows: staticWorkflows({
      paper: paperGraph(store, receipt),
      "paper-ask": paperGraph(store, receipt, { ask: true }),
      receipt,
    }),
    uiDir: false,
    pollMs: 50,
  });
  opened = { baton, store };
  const api = client(baton.app);
  const started = await api.post("/api/runs", { workflow: "paper", runId: "p1", input: { topic: "owls" } });
  expect(started.status).toBe(201);
  const detail = await until(async () => {
    const r = await api.get("/api/runs/p1");
    return r.body.run.status === "completed" ? r.body : undefined;
  });
  return { api, detail };
}

describe("subgraphs and child runs over HTTP", () => {
  it("shows a run's children with their kind, task, step and status, and each child's parent", async () => {
    const { api, detail } = await finishedPaper();
    expect(detail.state.notes).toEqual(["intro", "draft of owls", "dug owls", "checked"]);
    expect(detail.children).toEqual([
      {
        id: "p1:review:2:sub",
        graph: "paper/review",
        status: "completed",
        kind: "subgraph",
        taskId: "review",
        step: 2,
        createdAt: expect.any(Number),
      },
      {
        id: expect.stringMatching(/^p1:bill:3.*:0$/),
        graph: "receipt",
        status: "completed",
        kind: "child",
        taskId: "bill",
        step: 3,
        createdAt: expect.any(Number),
      },
    ]);
    // Children are not forks.
    expect(detail.forks).toEqual([]);
    expect(detail.parent).toBeUndefined();

    const review = (await api.get("/api/runs/p1:review:2:sub")).body;
    expect(review.parent).toEqual({
      runId: "p1",
      step: 2,
      taskId: "review",
      kind: "subgraph",
      graph: "paper",
      status: "completed",
    });
    // The subgraph's workflow (`paper/review`) is found through `paper`: its state and graph show.
    expect(review.workflow).toEqual({ name: "paper/review", available: true });
    expect(review.state.notes).toEqual(["intro", "draft of owls", "dug owls", "checked"]);
    expect(review.children.map((c: { id: string; kind: string }) => [c.id, c.kind])).toEqual([
      ["p1:review:2:sub:deep:2:sub", "subgraph"],
    ]);
    const deep = (await api.get("/api/runs/p1:review:2:sub:deep:2:sub")).body;
    expect(deep.parent).toMatchObject({ runId: "p1:review:2:sub", kind: "subgraph", graph: "paper/review" });
    expect(deep.workflow.available).toBe(true);

    const bill = detail.children[1].id as string;
    const child = (await api.get(`/api/runs/${bill}`)).body;
    expect(child.parent).toMatchObject({ runId: "p1", taskId: "bill", kind: "child", status: "completed" });
    expect(child.children).toEqual([]);
  });

  it("keeps a fork a fork: listed in forks, not in children, its parent without a kind", async () => {
    const { api } = await finishedPaper();
    const fork = await api.post("/api/runs/p1/fork", { step: 1, runId: "p1-fork" });
    expect(fork.status).toBe(201);
    const detail = await until(async () => {
      const r = await api.get("/api/runs/p1");
      return r.body.forks.length > 0 ? r.body : undefined;
    });
    expect(detail.forks).toEqual(["p1-fork"]);
    expect(detail.children.map((c: { kind: string }) => c.kind)).toEqual(["subgraph", "child"]);
    const forked = (await api.get("/api/runs/p1-fork")).body;
    expect(forked.parent).toMatchObject({ runId: "p1", step: 1, graph: "paper" });
    expect(forked.parent.kind).toBeUndefined();
    expect(forked.parent.taskId).toBeUndefined();
  });

  it("draws subgraph nodes with their own graphs, nested", async () => {
    const { api } = await finishedPaper();
    const graph = (await api.get("/api/workflows/paper/graph")).body;
    const review = graph.nodes.find((n: { name: string }) => n.name === "review");
    expect(review.subgraph).toMatchObject({
      name: "paper/review",
      nodes: [{ name: "draft" }, { name: "deep" }, { name: "check" }],
      edges: expect.arrayContaining([{ from: "draft", to: "deep" }]),
    });
    expect(review.subgraph.mermaid).toContain("subgraph deep");
    const deep = review.subgraph.nodes.find((n: { name: string }) => n.name === "deep");
    expect(deep.subgraph).toMatchObject({ name: "paper/review/deep", nodes: [{ name: "dig" }] });
    expect(deep.subgraph.nodes[0].subgraph).toBeUndefined();
    expect(graph.nodes.find((n: { name: string }) => n.name === "bill").subgraph).toBeUndefined();
    expect(graph.mermaid).toContain('subgraph review["review"]');
  });

  it("merges the subgraph runs' histories into the run's, by time, each entry with its level and run", async () => {
    const { api } = await finishedPaper();
    const flat = (await api.get("/api/runs/p1/history?limit=1000")).body;
    expect(flat.events.every((e: { level?: unknown }) => e.level === undefined)).toBe(true);

    const { body } = await api.get("/api/runs/p1/history?nested=1&limit=1000");
    expect(body.next).toBeNull();
    const events = body.events as Array<{
      type: string;
      level: string[];
      runId: string;
      at: number;
      node?: string;
    }>;
    const attempts = events
      .filter((e) => e.type === "attempt")
      .map((e) => `${[...e.level, e.node].join("/")}@${e.runId}`);
    expect(attempts).toEqual([
      "intro@p1",
      "review/draft@p1:review:2:sub",
      "review/deep/dig@p1:review:2:sub:deep:2:sub",
      "review/deep@p1:review:2:sub",
      "review/check@p1:review:2:sub",
      "review@p1",
      "bill@p1",
    ]);
    // The run's own entries are level [], the child of ctx.runChild stays out (a separate run).
    expect(events.filter((e) => e.runId === "p1").every((e) => e.level.length === 0)).toBe(true);
    expect(events.some((e) => e.runId.startsWith("p1:bill"))).toBe(false);
    expect(events.filter((e) => e.type === "run_created").map((e) => e.level)).toEqual([
      [],
      ["review"],
      ["review", "deep"],
    ]);
    for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
    expect(events.filter((e) => e.type === "child_started").map((e) => e.level)).toEqual([
      [],
      ["review"],
      [],
    ]);

    // Paged over the merged list.
    const first = (await api.get("/api/runs/p1/history?nested=1&limit=3")).body;
    expect(first.events).toHaveLength(3);
    expect(first.next).toBe(3);
    const second = (await api.get("/api/runs/p1/history?nested=1&after=3&limit=3")).body;
    expect(second.events).toEqual(body.events.slice(3, 6));
    expect((await api.get("/api/runs/p1/history?nested=maybe")).status).toBe(400);
  });

  it("shows a question asked inside a subgraph: the parent paused with it, the inner entries at their level", async () => {
    const { api } = await finishedPaper();
    await api.post("/api/runs", { workflow: "paper-ask", runId: "a1", input: { topic: "moths" } });
    const paused = await until(async () => {
      const r = await api.get("/api/runs/a1");
      return r.body.run.status === "interrupted" ? r.body : undefined;
    });
    expect(paused.run.interrupts[0]).toMatchObject({
      node: "review",
      from: { runId: "a1:review:2:sub", interrupts: [expect.objectContaining({ node: "check" })] },
    });
    expect(paused.children).toEqual([
      expect.objectContaining({ id: "a1:review:2:sub", kind: "subgraph", status: "interrupted" }),
    ]);
    const asked = async () =>
      (
        (await api.get("/api/runs/a1/history?nested=1&limit=1000")).body.events as Array<{
          type: string;
          level: string[];
          node?: string;
          by?: { via: string };
        }>
      ).filter((e) => e.type === "interrupt_asked" || e.type === "interrupt_answered");
    expect((await asked()).map((e) => [e.type, e.level.join("/"), e.node])).toEqual([
      ["interrupt_asked", "review", "check"],
      ["interrupt_asked", "", "review"],
    ]);

    await api.post("/api/runs/a1/resume", { value: "fine", by: "dana" });
    const done = await until(async () => {
      const r = await api.get("/api/runs/a1");
      return r.body.run.status === "completed" ? r.body : undefined;
    });
    expect(done.state.verdict).toBe("fine");
    // The answer goes to the parent, which passes it on: both levels record it.
    const answered = (await asked()).filter((e) => e.type === "interrupt_answered");
    expect(answered.map((e) => [e.level.join("/"), e.by?.via])).toEqual([
      ["", "api"],
      ["review", "parent"],
    ]);
  });
});
