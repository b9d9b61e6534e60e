import { describe, expect, it } from "vitest";
import { Command } from "../../src/graph/commands.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";

const State = defineState({ log: append<string>(), count: value(0), last: value("") });

describe("several updates from one node", () => {
  it("applies a list of updates and Commands in order, each through the reducers", async () => {
    const graph = new StateGraph(State)
      .addNode(
        "many",
        () => [
          { log: "a", count: 1 },
          { log: ["b", "c"], count: 2 },
          new Command({ update: { last: "cmd" }, goto: "next" }),
        ],
        { ends: ["next"] },
      )
      .addNode("next", (s) => ({ log: `next saw ${s.count}` }))
      .addEdge(START, "many")
      .addEdge("next", END)
      .compile({ store: new MemoryStore(), name: "many" });
    const state = await graph.invoke({});
    expect(state).toEqual({ log: ["a", "b", "c", "next saw 2"], count: 2, last: "cmd" });
  });

  it("still refuses two tasks writing one value key in a step, and a nested list", async () => {
    const graph = new StateGraph(State)
      .addNode("x", () => ({ count: 1 }))
      .addNode("y", () => ({ count: 2 }))
      .addEdge(START, "x")
      .addEdge(START, "y")
      .addEdge(["x", "y"], END)
      .compile({ store: new MemoryStore(), name: "clash" });
    expect((await graph.run({})).error?.code).toBe("WRITE_CONFLICT");
    const nested = new StateGraph(State)
      .addNode("n", () => [[{ count: 1 }]] as never)
      .addEdge(START, "n")
      .addEdge("n", END)
      .compile({ store: new MemoryStore(), name: "nested" });
    const result = await nested.run({});
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("a list inside its list");
  });
});

describe("deferred nodes", () => {
  /** START -> a, b1; a -> c; b1 -> b2 -> b3 -> c: branches of lengths 1 and 3 into a deferred c. */
  function uneven(store = new MemoryStore()) {
    const order: string[] = [];
    const node = (name: string) => () => {
      order.push(name);
      return { log: name };
    };
    const graph = new StateGraph(State)
      .addNode("a", node("a"))
      .addNode("b1", node("b1"))
      .addNode("b2", node("b2"))
      .addNode("b3", node("b3"))
      .addNode(
        "c",
        (s) => {
          order.push("c");
          return { log: `c after ${s.log.length}` };
        },
        { defer: true },
      )
      .addEdge(START, "a")
      .addEdge(START, "b1")
      .addEdge("a", "c")
      .addEdge("b1", "b2")
      .addEdge("b2", "b3")
      .addEdge("b3", "c")
      .addEdge("c", END)
      .compile({ store, name: "uneven" });
    return { graph, order };
  }

  it("waits out uneven fan-outs (branches of 1 and 3) and runs once, after everything else", async () => {
    const { graph, order } = uneven();
    const state = await graph.invoke({});
    expect(order).toEqual(["a", "b1", "b2", "b3", "c"]);
    expect(state.log.at(-1)).toBe("c after 4");
    expect(state.log.filter((l) => l.startsWith("c"))).toHaveLength(1);
  });

  it("keeps a waiting deferred task in the checkpoint, so a resumed run still runs it last", async () => {
    const store = new MemoryStore();
    const order: string[] = [];
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b1", () => ({ log: "b1" }))
      .addNode("b2", (_s, ctx) => {
        ctx.interrupt("go on?");
        order.push("b2");
        return { log: "b2" };
      })
      .addNode(
        "c",
        () => {
          order.push("c");
          return { log: "c" };
        },
        { defer: true },
      )
      .addEdge(START, "a")
      .addEdge(START, "b1")
      .addEdge("a", "c")
      .addEdge("b1", "b2")
      .addEdge("b2", "c")
      .addEdge("c", END)
      .compile({ store, name: "paused-uneven" });
    const paused = await graph.run({}, { runId: "d1" });
    expect(paused.status).toBe("interrupted");
    // After step 1, c (triggered by a) waits beside b2: the checkpoint names both.
    expect((await store.listCheckpoints("d1")).find((c) => c.step === 1)!.next.map((t) => t.id)).toEqual([
      "b2",
      "c",
    ]);
    const done = await graph.resume("d1", "yes");
    expect(done.status).toBe("completed");
    expect(order).toEqual(["b2", "c"]);
    expect(done.state.log).toEqual(["a", "b1", "b2", "c"]);
  });
});
