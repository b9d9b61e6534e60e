import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { collect, sleep } from "./helpers.js";

const State = defineState({ log: append<string>(), n: value(0) });

describe("join edges", () => {
  it("run the joined node exactly once, after branches of different lengths (a→b→d, c→d on [b, c])", async () => {
    const calls: Record<string, number> = {};
    const node = (name: string, ms: number) => async (s: { log: string[] }) => {
      calls[name] = (calls[name] ?? 0) + 1;
      await sleep(ms);
      return { log: name === "d" ? `d saw ${[...s.log].sort().join(",")}` : name };
    };
    const graph = new StateGraph(State)
      .addNode("a", node("a", 1))
      .addNode("b", node("b", 5))
      .addNode("c", node("c", 0))
      .addNode("d", node("d", 0))
      .addEdge(START, "a")
      .addEdge(START, "c")
      .addEdge("a", "b")
      .addEdge(["b", "c"], "d")
      .addEdge("d", END)
      .compile({ store: new MemoryStore() });
    const events = await collect(graph.stream({}));
    expect(calls).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    const steps = events.flatMap((e) => (e.type === "step_started" ? [e.tasks.map((t) => t.node)] : []));
    expect(steps).toEqual([["a", "c"], ["b"], ["d"]]);
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: "run_finished", status: "completed" });
    const result = await graph.run({});
    expect(result.state.log).toEqual(["a", "c", "b", "d saw a,b,c"]);
  });

  it("waits for the slow branch even when the fast one's path reaches END", async () => {
    const order: string[] = [];
    const graph = new StateGraph(State)
      .addNode("fast", () => {
        order.push("fast");
        return { log: "fast" };
      })
      .addNode("slow1", async () => {
        await sleep(3);
        order.push("slow1");
        return {};
      })
      .addNode("slow2", () => {
        order.push("slow2");
        return { log: "slow" };
      })
      .addNode("join", (s) => {
        order.push("join");
        return { n: s.log.length };
      })
      .addEdge(START, "fast")
      .addEdge(START, "slow1")
      .addEdge("slow1", "slow2")
      .addEdge(["fast", "slow2"], "join")
      .addEdge("fast", END)
      .addEdge("join", END)
      .compile({ store: false });
    const state = await graph.invoke({});
    expect(order).toEqual(["fast", "slow1", "slow2", "join"]);
    expect(state.n).toBe(2);
  });

  it("fire again each time all sources have finished anew (loops)", async () => {
    let joins = 0;
    const graph = new StateGraph(State)
      .addNode("x", () => ({ log: "x" }))
      .addNode("y", () => ({ log: "y" }))
      .addNode("join", (s) => {
        joins++;
        return { n: s.n + 1 };
      })
      .addEdge(START, "x")
      .addEdge(START, "y")
      .addEdge(["x", "y"], "join")
      .addConditionalEdges("join", (s) => (s.n < 3 ? ["x", "y"] : END))
      .compile({ store: false });
    const state = await graph.invoke({});
    expect(joins).toBe(3);
    expect(state.n).toBe(3);
    expect(state.log).toHaveLength(6);
  });

  it("do not fire when a source never runs", async () => {
    let joined = false;
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => ({ log: "b" }))
      .addNode("join", () => {
        joined = true;
        return {};
      })
      .addEdge(START, "a")
      .addConditionalEdges("a", () => "end", { end: END, b: "b" })
      .addEdge(["a", "b"], "join")
      .addEdge("join", END)
      .compile({ store: false });
    expect((await graph.invoke({})).log).toEqual(["a"]);
    expect(joined).toBe(false);
  });

  it("remember join progress in the checkpoint between steps", async () => {
    const store = new MemoryStore();
    const graph = new StateGraph(State)
      .addNode("a", () => ({}))
      .addNode("b", () => ({}))
      .addNode("c", () => ({}))
      .addNode("d", () => ({}))
      .addEdge(START, "a")
      .addEdge(START, "c")
      .addEdge("a", "b")
      .addEdge(["b", "c"], "d")
      .addEdge("d", END)
      .compile({ store });
    const { runId } = await graph.run({});
    const checkpoints = await store.listCheckpoints(runId);
    expect(checkpoints.map((c) => c.joins)).toEqual([{}, { 3: ["c"] }, {}, {}]);
  });
});
