import { describe, expect, it, vi } from "vitest";
import { StopReason } from "../../src/engine/signals.js";
import type { Store } from "../../src/engine/store.js";
import { GraphValidationError } from "../../src/errors.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { engineStores } from "../helpers/engine-stores.js";
import { untilAborted } from "./helpers.js";

const stores = engineStores("subgraph");

const Outer = defineState({ topic: value(""), notes: append<string>(), verdict: value(""), total: value(0) });
const Inner = defineState({ topic: value(""), notes: append<string>(), verdict: value(""), score: value(0) });

/** How many times each inner node really ran (an outside ledger). */
type Ledger = Record<string, number>;
const count = (ledger: Ledger, name: string) => {
  ledger[name] = (ledger[name] ?? 0) + 1;
};

/** review: draft -> check -> END, over the inner state. */
function review(
  store: Store,
  ledger: Ledger,
  options: { interrupt?: boolean; fail?: { times: number } } = {},
) {
  let failures = 0;
  return new StateGraph(Inner)
    .addNode("draft", (s) => {
      count(ledger, "draft");
      return { notes: `draft of ${s.topic}`, score: 3 };
    })
    .addNode("check", (s, ctx) => {
      count(ledger, "check");
      if (options.fail && failures < options.fail.times) {
        failures++;
        throw new Error("checker down");
      }
      const verdict = options.interrupt ? ctx.interrupt<string>({ approve: s.notes.at(-1) }) : "ok";
      return { notes: "checked", verdict: `${verdict} (${s.score})` };
    })
    .addEdge(START, "draft")
    .addEdge("draft", "check")
    .addEdge("check", END)
    .compile({ store, name: "review" });
}

describe.each(stores)("subgraphs (%s)", (_name, makeStore) => {
  it("runs a compiled graph as a node: shared keys pass in and out, an append key brings back only what it added", async () => {
    const store = makeStore();
    const ledger: Ledger = {};
    const graph = new StateGraph(Outer)
      .addNode("intro", () => ({ notes: "intro" }))
      .addNode("review", review(store, ledger))
      .addNode("after", (s) => ({ notes: `after ${s.verdict}` }))
      .addEdge(START, "intro")
      .addEdge("intro", "review")
      .addEdge("review", "after")
      .addEdge("after", END)
      .compile({ store, name: "paper" });
    const result = await graph.run({ topic: "owls" }, { runId: "p1" });
    expect(result.status).toBe("completed");
    expect(result.state).toEqual({
      topic: "owls",
      notes: ["intro", "draft of owls", "checked", "after ok (3)"],
      verdict: "ok (3)",
      total: 0,
    });
    // The inner steps are a run of their own, linked to the task that ran them.
    const [child] = await store.listRuns({ parent: "p1" });
    expect(child).toMatchObject({
      id: "p1:review:2:sub",
      graph: "paper/review",
      status: "completed",
      parent: { runId: "p1", step: 2, taskId: "review", kind: "subgraph" },
    });
    const events = await graph.events("p1");
    expect(events).toContainEqual(
      expect.objectContaining({ type: "child_started", childRunId: "p1:review:2:sub", kind: "subgraph" }),
    );
    expect(ledger).toEqual({ draft: 1, check: 1 });
  });

  it("maps keys by name with input and output", async () => {
    const store = makeStore();
    const Scores = defineState({ subject: value(""), points: value(0) });
    const inner = new StateGraph(defineState({ topic: value(""), score: value(0) }))
      .addNode("rate", (s) => ({ score: s.topic.length }))
      .addEdge(START, "rate")
      .addEdge("rate", END)
      .compile({ store, name: "rate" });
    const graph = new StateGraph(Scores)
      .addNode("rate", inner, { input: { subject: "topic" }, output: { score: "points" } })
      .addEdge(START, "rate")
      .addEdge("rate", END)
      .compile({ store, name: "scores" });
    expect(await graph.invoke({ subject: "herons" })).toEqual({ subject: "herons", points: 6 });
  });

  it("refuses at compile a mapped key either state lacks, a subgraph sharing no keys, and a node that is neither", () => {
    const store = makeStore();
    const inner = review(store, {});
    const build = (options: object) =>
      new StateGraph(Outer)
        .addNode("review", inner, options)
        .addEdge(START, "review")
        .addEdge("review", END)
        .compile({ store });
    expect(() => build({ input: ["topic", "nope"] })).toThrow(
      /subgraph node "review" maps unknown key "nope" \(input\): the graph's state has no such key/,
    );
    expect(() => build({ output: { score: "missing" } })).toThrow(/maps unknown key "missing" \(output\)/);
    const Other = defineState({ unrelated: value(0) });
    expect(() =>
      new StateGraph(Other)
        .addNode("review", inner)
        .addEdge(START, "review")
        .addEdge("review", END)
        .compile({ store }),
    ).toThrow(GraphValidationError);
    expect(() => new StateGraph(Other).addNode("x", {} as never)).toThrow(
      /needs a function or a graph compiled by Baton/,
    );
  });

  it("pauses the whole run at an interrupt inside, and resume reaches the inner node", async () => {
    const store = makeStore();
    const ledger: Ledger = {};
    const graph = new StateGraph(Outer)
      .addNode("review", review(store, ledger, { interrupt: true }))
      .addEdge(START, "review")
      .addEdge("review", END)
      .compile({ store, name: "ask" });
    const paused = await graph.run({ topic: "moths" }, { runId: "a1" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts?.[0]).toMatchObject({
      node: "review",
      payload: { approve: "draft of moths" },
      from: { runId: "a1:review:1:sub", interrupts: [expect.objectContaining({ node: "check" })] },
    });
    expect((await store.getRun("a1:review:1:sub"))?.status).toBe("interrupted");
    const done = await graph.resume("a1", "approved");
    expect(done.status).toBe("completed");
    expect(done.state.verdict).toBe("approved (3)");
    // draft ran once; check ran to ask and again to take the answer.
    expect(ledger).toEqual({ draft: 1, check: 2 });
  });

  it("passes each answer once when the subgraph asks twice", async () => {
    const store = makeStore();
    const Q = defineState({ answers: append<string>() });
    const inner = new StateGraph(Q)
      .addNode("first", (_s, ctx) => ({ answers: ctx.interrupt<string>("first?") }))
      .addNode("second", (_s, ctx) => ({ answers: ctx.interrupt<string>("second?") }))
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile({ store, name: "twice" });
    const graph = new StateGraph(Q)
      .addNode("inner", inner)
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ store, name: "outer-twice" });
    const one = await graph.run({}, { runId: "t1" });
    expect(one.interrupts?.[0]?.payload).toBe("first?");
    const two = await graph.resume("t1", "A");
    expect(two.status).toBe("interrupted");
    expect(two.interrupts?.[0]?.payload).toBe("second?");
    const end = await graph.resume("t1", "B");
    expect(end.status).toBe("completed");
    expect(end.state.answers).toEqual(["A", "B"]);
  });

  it("resumes inside the subgraph after its run was stopped there, without re-running finished inner nodes", async () => {
    const store = makeStore();
    const ledger: Ledger = {};
    const stop = new AbortController();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let firstTime = true;
    const inner = new StateGraph(Inner)
      .addNode("draft", () => {
        count(ledger, "draft");
        return { notes: "draft" };
      })
      .addNode("slow", async (_s, ctx) => {
        count(ledger, "slow");
        if (firstTime) {
          firstTime = false;
          release();
          await new Promise((_r, reject) =>
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
          );
        }
        return { notes: "slow" };
      })
      .addEdge(START, "draft")
      .addEdge("draft", "slow")
      .addEdge("slow", END)
      .compile({ store, name: "slowly" });
    const graph = new StateGraph(Outer)
      .addNode("inner", inner)
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ store, name: "stops" });
    const running = graph.run({}, { runId: "s1", signal: stop.signal });
    await held;
    stop.abort(new StopReason("test stops the process"));
    const stopped = await running;
    expect(stopped.status).toBe("running");
    const done = await graph.resume("s1");
    expect(done.status).toBe("completed");
    expect(done.state.notes).toEqual(["draft", "slow"]);
    expect(ledger).toEqual({ draft: 1, slow: 2 });
  });

  it("retries the subgraph node from where its run failed: finished inner nodes do not run again", async () => {
    const store = makeStore();
    const ledger: Ledger = {};
    const graph = new StateGraph(Outer)
      .addNode("review", review(store, ledger, { fail: { times: 1 } }), {
        retry: { attempts: 2, initialDelayMs: 1 },
      })
      .addEdge(START, "review")
      .addEdge("review", END)
      .compile({ store, name: "retries" });
    const result = await graph.run({ topic: "bats" }, { runId: "r1" });
    expect(result.status).toBe("completed");
    expect(ledger).toEqual({ draft: 1, check: 2 });
    expect((await store.getRun("r1:review:1:sub"))?.status).toBe("completed");
  });

  it("fails the subgraph node with the child's error when its retries are spent", async () => {
    const store = makeStore();
    const graph = new StateGraph(Outer)
      .addNode("review", review(store, {}, { fail: { times: 5 } }))
      .addEdge(START, "review")
      .addEdge("review", END)
      .compile({ store, name: "fails" });
    const result = await graph.run({ topic: "x" }, { runId: "f1" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/Child run f1:review:1:sub ended failed: .*checker down/);
  });

  it("a retry of the failed outer run retries its subgraph's run from where it failed", async () => {
    const store = makeStore();
    const ledger: Ledger = {};
    const graph = new StateGraph(Outer)
      .addNode("review", review(store, ledger, { fail: { times: 1 } }))
      .addEdge(START, "review")
      .addEdge("review", END)
      .compile({ store, name: "retried-later" });
    expect((await graph.run({ topic: "elk" }, { runId: "rl1" })).status).toBe("failed");
    const again = await graph.retry("rl1");
    expect(again.status).toBe("completed");
    expect(again.state.verdict).toBe("ok (3)");
    expect(ledger).toEqual({ draft: 1, check: 2 });
    expect(await store.listRuns({ parent: "rl1" })).toHaveLength(1);
  });

  it("a timeout on the subgraph node cancels its run", async () => {
    const store = makeStore();
    const inner = new StateGraph(Inner)
      .addNode("hang", (_s, ctx) => untilAborted(ctx.signal))
      .addEdge(START, "hang")
      .addEdge("hang", END)
      .compile({ store, name: "hang" });
    const graph = new StateGraph(Outer)
      .addNode("inner", inner, { timeout: 50 })
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ store, name: "times-out" });
    const result = await graph.run({}, { runId: "to1" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/timed out after 50 ms/);
    // The node's attempt ends at the timeout; its child's cancellation is stored just after.
    await vi.waitFor(async () => expect((await store.getRun("to1:inner:1:sub"))?.status).toBe("cancelled"));
  });

  it("undoes the completed inner steps that declare compensate, in reverse order, when the outer run compensates", async () => {
    const store = makeStore();
    const undone: string[] = [];
    const inner = new StateGraph(Inner)
      .addNode("book", () => ({ notes: "booked" }), { compensate: () => void undone.push("unbook") })
      .addNode("pay", () => ({ notes: "paid" }), { compensate: () => void undone.push("refund") })
      .addEdge(START, "book")
      .addEdge("book", "pay")
      .addEdge("pay", END)
      .compile({ store, name: "trip" });
    const graph = new StateGraph(Outer)
      .addNode("reserve", () => ({ notes: "reserved" }), { compensate: () => void undone.push("release") })
      .addNode("trip", inner)
      .addNode("confirm", () => {
        throw new Error("no confirmation");
      })
      .addEdge(START, "reserve")
      .addEdge("reserve", "trip")
      .addEdge("trip", "confirm")
      .addEdge("confirm", END)
      .compile({ store, name: "saga" });
    const result = await graph.run({}, { runId: "c1" });
    expect(result.status).toBe("compensated");
    expect(undone).toEqual(["refund", "unbook", "release"]);
    expect((await store.getRun("c1:trip:2:sub"))?.status).toBe("compensated");
  });

  it("nests: a subgraph inside a subgraph, drawn nested in Mermaid", async () => {
    const store = makeStore();
    const S = defineState({ path: append<string>() });
    const leaf = new StateGraph(S)
      .addNode("leaf", () => ({ path: "leaf" }))
      .addEdge(START, "leaf")
      .addEdge("leaf", END)
      .compile({ store, name: "leaf" });
    const middle = new StateGraph(S)
      .addNode("mid", () => ({ path: "mid" }))
      .addNode("deep", leaf)
      .addEdge(START, "mid")
      .addEdge("mid", "deep")
      .addEdge("deep", END)
      .compile({ store, name: "middle" });
    const top = new StateGraph(S)
      .addNode("inner", middle)
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ store, name: "top" });
    expect(await top.invoke({ path: ["start"] })).toEqual({ path: ["start", "mid", "leaf"] });
    const [mid] = await store.listRuns({ parent: (await store.listRuns({ graph: "top" }))[0]!.id });
    expect(mid?.graph).toBe("top/inner");
    expect((await store.listRuns({ parent: mid!.id }))[0]?.graph).toBe("top/inner/deep");
    const mermaid = top.toMermaid();
    expect(mermaid).toContain('subgraph inner["inner"]');
    expect(mermaid).toContain('subgraph inner__deep["deep"]');
    expect(mermaid).toContain('inner__deep__leaf["leaf"]');
    expect(mermaid).toContain("__start__ --> inner");
  });
});

describe("a subgraph without a store", () => {
  it("just runs its graph in memory", async () => {
    const S = defineState({ n: value(0) });
    const inner = new StateGraph(S)
      .addNode("inc", (s) => ({ n: s.n + 1 }))
      .addEdge(START, "inc")
      .addEdge("inc", END)
      .compile({ store: false });
    const outer = new StateGraph(S)
      .addNode("twice", inner)
      .addNode("again", inner)
      .addEdge(START, "twice")
      .addEdge("twice", "again")
      .addEdge("again", END)
      .compile({ store: false });
    expect(await outer.invoke({ n: 1 })).toEqual({ n: 3 });
  });
});
