import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { RunFailedError } from "../../src/engine/compiled.js";
import type { HistoryEvent } from "../../src/engine/history.js";
import type { Store } from "../../src/engine/store.js";
import { BatonError } from "../../src/errors.js";
import { Command, Send } from "../../src/graph/commands.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { aborted, deferred } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "baton-lifecycle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const stores: Array<[string, () => Store]> = [
  ["memory", () => new MemoryStore()],
  ["sqlite", () => openSqliteStore(join(dir, `s${++files}.db`))],
];

const State = defineState({ log: append<string>(), decision: value<unknown>(null) });
const types = (events: readonly HistoryEvent[]) => events.map((e) => e.type);

/** START -> ask -> after -> END; `ask` waits for an answer (with a schema when given). */
function approval(store: Store, schema?: z.ZodType) {
  return new StateGraph(State)
    .addNode("ask", (_s, ctx) => {
      const decision = ctx.interrupt({ question: "ship it?" }, schema ? { schema } : {});
      return { decision, log: "ask" };
    })
    .addNode("after", () => ({ log: "after" }))
    .addEdge(START, "ask")
    .addEdge("ask", "after")
    .addEdge("after", END)
    .compile({ store, name: "approval" });
}

describe.each(stores)("run lifecycle (%s)", (_name, open) => {
  it("records an append-only history: created, each attempt, the answer with who gave it, finished", async () => {
    const store = open();
    const graph = approval(store);
    await graph.run({}, { runId: "h1", actor: { via: "cli", who: "ana@host" } });
    const before = await graph.events("h1");
    expect(types(before)).toEqual(["run_created", "attempt", "interrupt_asked", "run_finished"]);
    await graph.resume("h1", "yes", { actor: { via: "api", who: "sam" } });
    const after = await graph.events("h1");
    // Nothing earlier is rewritten: the first entries are still there, as they were.
    expect(after.slice(0, before.length)).toEqual(before);
    expect(types(after.slice(before.length))).toEqual([
      "owner_taken",
      "resumed",
      "interrupt_answered",
      "attempt",
      "attempt",
      "run_finished",
    ]);
    const answered = after.find((e) => e.type === "interrupt_answered");
    expect(answered).toMatchObject({ node: "ask", value: "yes", by: { via: "api", who: "sam" } });
    expect(after[0]).toMatchObject({ type: "run_created", by: { via: "cli", who: "ana@host" } });
    const seqs = after.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    await store.close();
  });

  it("refuses a resume without an answer, naming the node and its question; the run stays as it was", async () => {
    const store = open();
    const graph = approval(store);
    await graph.run({}, { runId: "q1" });
    const before = { run: await store.getRun("q1"), events: await graph.events("q1") };
    const error = await graph.resume("q1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe("INPUT_INVALID");
    expect((error as Error).message).toMatch(/waiting for an answer from node "ask".*ship it/);
    expect(await store.getRun("q1")).toEqual(before.run);
    expect(await graph.events("q1")).toEqual(before.events);
    // An explicit null is an answer.
    expect((await graph.resume("q1", null)).status).toBe("completed");
    await store.close();
  });

  it("checks the answer against the interrupt's schema before changing anything", async () => {
    const store = open();
    const graph = approval(store, z.strictObject({ approved: z.boolean(), assignee: z.string().optional() }));
    await graph.run({}, { runId: "s1" });
    expect((await store.getRun("s1"))?.interrupts?.[0]?.schema).toMatchObject({ type: "object" });
    const before = await store.getRun("s1");
    const bad = await graph.resume("s1", { approved: "maybe" }).catch((e: unknown) => e);
    expect((bad as BatonError).code).toBe("INPUT_INVALID");
    expect((bad as Error).message).toMatch(/node "ask".*approved/);
    expect(await store.getRun("s1")).toEqual(before);
    const done = await graph.resume("s1", { approved: true, assignee: "sam" });
    expect(done.status).toBe("completed");
    expect(done.state.decision).toEqual({ approved: true, assignee: "sam" });
    await store.close();
  });

  it("answers several waiting tasks separately by task id; the others keep waiting", async () => {
    const store = open();
    const graph = new StateGraph(State)
      .addNode("left", (_s, ctx) => ({ log: `left:${ctx.interrupt<string>("left?")}` }))
      .addNode("right", (_s, ctx) => ({ log: `right:${ctx.interrupt<string>("right?")}` }))
      .addNode("join", () => ({ log: "join" }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .addEdge(["left", "right"], "join")
      .addEdge("join", END)
      .compile({ store, name: "two" });
    await graph.run({}, { runId: "m1" });
    const partly = await graph.resume("m1", { left: "L" });
    expect(partly.status).toBe("interrupted");
    expect(partly.interrupts?.map((i) => i.node)).toEqual(["right"]);
    const done = await graph.resume("m1", { right: "R" });
    expect(done.status).toBe("completed");
    expect(done.state.log).toEqual(["left:L", "right:R", "join"]);
    await store.close();
  });

  it("refuses a second drive of a live run (RUN_BUSY) and lets the first finish alone", async () => {
    const store = open();
    const gate = deferred();
    let runs = 0;
    const graph = new StateGraph(State)
      .addNode("slow", async () => {
        runs++;
        await gate.promise;
        return { log: "slow" };
      })
      .addEdge(START, "slow")
      .addEdge("slow", END)
      .compile({ store, name: "slow" });
    const first = graph.run({}, { runId: "b1" });
    while (runs === 0) await new Promise((r) => setTimeout(r, 5));
    const second = await graph.resume("b1").catch((e: unknown) => e);
    expect((second as BatonError).code).toBe("RUN_BUSY");
    gate.resolve();
    expect((await first).status).toBe("completed");
    expect(runs).toBe(1);
    await store.close();
  });

  it("refuses a run id of another workflow with RUN_CONFLICT naming it", async () => {
    const store = open();
    await approval(store).run({}, { runId: "c1" });
    const other = new StateGraph(State)
      .addNode("x", () => ({ log: "x" }))
      .addEdge(START, "x")
      .addEdge("x", END)
      .compile({ store, name: "other" });
    for (const attempt of [other.run({}, { runId: "c1" }), other.resume("c1", "yes", { force: true })]) {
      const error = await attempt.catch((e: unknown) => e);
      expect((error as BatonError).code).toBe("RUN_CONFLICT");
      expect((error as Error).message).toContain('workflow "approval"');
    }
    expect((await store.getRun("c1"))?.status).toBe("interrupted");
    await store.close();
  });

  it("keeps every attempt across a retry, and records the retry", async () => {
    const store = open();
    let broken = true;
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => {
        if (broken) throw new Error("b is down");
        return { log: "b" };
      })
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", END)
      .compile({ store, name: "retry" });
    expect((await graph.run({}, { runId: "r1" })).status).toBe("failed");
    broken = false;
    expect((await graph.retry("r1")).status).toBe("completed");
    const attempts = (await graph.events("r1")).filter((e) => e.type === "attempt");
    expect(attempts.map((e) => [e.node, e.outcome])).toEqual([
      ["a", "succeeded"],
      ["b", "failed"],
      ["b", "succeeded"],
    ]);
    const failed = attempts[1]!;
    expect(failed.type === "attempt" && failed.error?.stack).toContain("b is down");
    expect(types(await graph.events("r1"))).toContain("retried");
    await store.close();
  });

  it("records the attempt in flight at a cancel, the cancel, and each undo with its start and end", async () => {
    const store = open();
    const started = deferred();
    const graph = new StateGraph(State)
      .addNode("book", () => ({ log: "book" }), { compensate: () => undefined })
      .addNode("wait", async (_s, ctx) => {
        started.resolve();
        await aborted(ctx.signal);
        return { log: "never" };
      })
      .addEdge(START, "book")
      .addEdge("book", "wait")
      .addEdge("wait", END)
      .compile({ store, name: "cancel" });
    const run = graph.run({}, { runId: "x1" });
    await started.promise;
    await graph.cancel("x1", { compensate: true, actor: { via: "cli", who: "ops" } });
    expect((await run).status).toBe("compensated");
    const events = await graph.events("x1");
    expect(events.find((e) => e.type === "cancel_requested")).toMatchObject({
      by: { who: "ops" },
      compensate: true,
    });
    expect(events.find((e) => e.type === "attempt" && e.node === "wait")).toMatchObject({
      outcome: "cancelled",
    });
    const undo = events.find((e) => e.type === "undo");
    expect(undo).toMatchObject({ node: "book", outcome: "done" });
    if (undo?.type === "undo") expect(undo.startedAt).toBeLessThanOrEqual(undo.finishedAt);
    expect((await store.listCompensations("x1"))[0]?.startedAt).toBeTypeOf("number");
    await store.close();
  });

  it("refuses a fork from a checkpoint whose steps were undone since, unless forced; forks link back", async () => {
    const store = open();
    const graph = new StateGraph(State)
      .addNode("pay", () => ({ log: "pay" }), { compensate: () => undefined })
      .addNode("ship", (_s, ctx) => ctx.abort("out of stock"))
      .addEdge(START, "pay")
      .addEdge("pay", "ship")
      .addEdge("ship", END)
      .compile({ store, name: "fork" });
    expect((await graph.run({}, { runId: "f1" })).status).toBe("compensated");
    const refused = await graph.fork("f1", { step: 1, runId: "f2" }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/undid "pay" after step 1/);
    expect(await store.getRun("f2")).toBeUndefined();
    await graph.fork("f1", { step: 1, runId: "f3", force: true });
    expect((await store.listRuns({ parent: "f1" })).map((r) => r.id)).toEqual(["f3"]);
    expect((await graph.events("f1")).at(-1)).toMatchObject({ type: "forked", toRunId: "f3", step: 1 });
    expect((await graph.events("f3"))[0]).toMatchObject({ type: "run_created", from: { runId: "f1" } });
    await store.close();
  });

  it("ends a run whose START router throws as failed, with that error and its lease let go", async () => {
    const store = open();
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addConditionalEdges(START, () => {
        throw new Error("router broke");
      })
      .addEdge("a", END)
      .compile({ store, name: "router" });
    const result = await graph.run({}, { runId: "st1" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toBe("router broke");
    const run = await store.getRun("st1");
    expect(run).toMatchObject({ status: "failed", error: { message: "router broke" } });
    expect(run?.owner).toBeUndefined();
    await store.close();
  });
});

describe("engine edge cases", () => {
  it("a START router naming an unknown node fails the run, naming the router and the value", async () => {
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addConditionalEdges(START, () => "nowhere" as "a")
      .addEdge("a", END)
      .compile({ store: new MemoryStore() });
    const result = await graph.run({});
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("ROUTER_TARGET");
    expect(result.error?.message).toContain('"nowhere"');
  });

  it("a Send to END is an error naming the router; a Command's Send to END names the node", async () => {
    const viaRouter = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => ({ log: "b" }))
      .addEdge(START, "a")
      .addConditionalEdges("a", () => [new Send(END as "b", {})])
      .addEdge("b", END)
      .compile({ store: false });
    const routed = await viaRouter.run({});
    expect(routed.error?.message).toMatch(/router after "a" returned a Send to END/);
    const viaCommand = new StateGraph(State)
      .addNode("a", () => new Command({ goto: [new Send(END as "a", {})] }), { ends: [END] })
      .addEdge(START, "a")
      .compile({ store: false });
    const commanded = await viaCommand.run({});
    expect(commanded.error?.message).toMatch(/Node "a" returned a Command with a Send to END/);
  });

  it("RunFailedError carries the run's own error code", async () => {
    const graph = new StateGraph(State)
      .addNode("loop", () => ({ log: "again" }))
      .addEdge(START, "loop")
      .addConditionalEdges("loop", () => "loop" as const)
      .compile({ store: false, stepLimit: 3 });
    const error = await graph.invoke({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as RunFailedError).code).toBe("STEP_LIMIT");
  });

  it("interrupt in a graph compiled with store: false is a clear error", async () => {
    const graph = new StateGraph(State)
      .addNode("ask", (_s, ctx) => ({ decision: ctx.interrupt("?") }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ store: false });
    const result = await graph.run({});
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/interrupt\(\).*store: false/);
  });
});
