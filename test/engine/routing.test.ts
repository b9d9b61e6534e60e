import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, Command, defineState, END, Send, START, StateGraph, value } from "../graph/core.js";

const State = defineState({ route: value<string | string[]>("end"), log: append<string>(), n: value(0) });
const visit = (name: string) => () => ({ log: name });

/** START -> a -> router(state.route) over `targets`, each to END. */
function routed(pathMap?: Record<string, string> | string[], targets = ["b", "c", "d"]) {
  const graph = new StateGraph(State).addNode("a", visit("a")).addEdge(START, "a");
  for (const name of targets) graph.addNode(name, visit(name)).addEdge(name, END);
  return graph.addConditionalEdges("a", (s) => s.route, pathMap).compile({ store: false });
}

describe("conditional edges", () => {
  it("go to the node the router names, or to END", async () => {
    expect((await routed().invoke({ route: "c" })).log).toEqual(["a", "c"]);
    expect((await routed().invoke({ route: END })).log).toEqual(["a"]);
  });

  it("run every node a router chooses, in one step", async () => {
    const graph = routed();
    const events = [];
    for await (const e of graph.stream({ route: ["d", "b"] })) events.push(e);
    const steps = events.flatMap((e) => (e.type === "step_started" ? [e.tasks.map((t) => t.node)] : []));
    expect(steps).toEqual([["a"], ["b", "d"]]);
  });

  it("fail on an unknown target, naming the router and the value", async () => {
    const result = await routed().run({ route: "nowhere" });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("ROUTER_TARGET");
    expect(result.error?.message).toBe(
      'The router after "a" returned "nowhere", which is not a node of the graph',
    );
  });

  it("fail on a value that is not a string or Send", async () => {
    const graph = new StateGraph(State)
      .addNode("a", visit("a"))
      .addEdge(START, "a")
      .addConditionalEdges("a", () => 42 as unknown as string)
      .compile({ store: false });
    await expect(graph.invoke({})).rejects.toThrow('The router after "a" returned 42');
  });

  it("translate router values through a path map", async () => {
    const graph = routed({ left: "b", right: "c", stop: END }, ["b", "c"]);
    expect((await graph.invoke({ route: "right" })).log).toEqual(["a", "c"]);
    expect((await graph.invoke({ route: ["left", "right"] })).log).toEqual(["a", "b", "c"]);
    expect((await graph.invoke({ route: "stop" })).log).toEqual(["a"]);
  });

  it("refuse a value missing from the path map, listing what it allows", async () => {
    const result = await routed({ left: "b", stop: END }, ["b"]).run({ route: "c" });
    expect(result.error?.message).toBe(
      'The router after "a" returned "c", which is not a node of the graph (its path map allows "left", "stop")',
    );
  });

  it("accept a path map given as a list of node names", async () => {
    expect((await routed(["b", "d", END], ["b", "d"]).invoke({ route: "d" })).log).toEqual(["a", "d"]);
    await expect(routed(["b", END], ["b"]).invoke({ route: "c" })).rejects.toThrow(/returned "c"/);
  });

  it("may start at START", async () => {
    const graph = new StateGraph(State)
      .addNode("b", visit("b"))
      .addNode("c", visit("c"))
      .addConditionalEdges(START, (s) => s.route)
      .addEdge("b", END)
      .addEdge("c", END)
      .compile({ store: false });
    expect((await graph.invoke({ route: "c" })).log).toEqual(["c"]);
  });
});

describe("Send", () => {
  it("fans out over 1,000 items, each task getting its own input, then joins", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const MapState = defineState({ items: value<number[]>([]), squares: append<number>(), total: value(0) });
    let called = 0;
    const graph = new StateGraph(MapState)
      .addNode("split", () => ({}))
      .addNode("square", async (_s, ctx) => {
        called++;
        const n = ctx.input as number;
        await Promise.resolve();
        return { squares: n * n };
      })
      .addNode("sum", (s) => ({ total: s.squares.reduce((a, b) => a + b, 0) }))
      .addEdge(START, "split")
      .addConditionalEdges("split", (s) => s.items.map((n) => new Send("square", n)))
      .addEdge("square", "sum")
      .addEdge("sum", END)
      .compile({ store: new MemoryStore() });
    const result = await graph.run({ items });
    expect(called).toBe(1000);
    expect(result.state.squares).toEqual(items.map((n) => n * n));
    expect(result.state.total).toBe(items.reduce((a, n) => a + n * n, 0));
    expect(result.steps).toBe(3);
  });

  it("fails when sent to an unknown node", async () => {
    const graph = new StateGraph(State)
      .addNode("a", visit("a"))
      .addEdge(START, "a")
      .addConditionalEdges("a", () => [new Send("ghost", 1)])
      .compile({ store: false });
    await expect(graph.invoke({})).rejects.toThrow('The router after "a" returned "ghost"');
  });
});

describe("Command", () => {
  it("updates the state and goes where it says", async () => {
    const graph = new StateGraph(State)
      .addNode("decide", (s) => new Command({ update: { n: s.n + 10, log: "decide" }, goto: "c" }), {
        ends: ["b", "c"],
      })
      .addNode("b", visit("b"))
      .addNode("c", (s) => ({ log: `c saw ${s.n}` }))
      .addEdge(START, "decide")
      .addEdge("b", END)
      .addEdge("c", END)
      .compile({ store: false });
    expect(await graph.invoke({ n: 1 })).toEqual({ route: "end", n: 11, log: ["decide", "c saw 11"] });
  });

  it("goes to several nodes, Sends and END, besides the node's static edges", async () => {
    const graph = new StateGraph(State)
      .addNode("decide", () => new Command({ goto: ["b", new Send("c", "sent"), END] }), {
        ends: ["b", "c"],
      })
      .addNode("b", visit("b"))
      .addNode("c", (_s, ctx) => ({ log: `c:${String(ctx.input)}` }))
      .addNode("d", visit("d"))
      .addEdge(START, "decide")
      .addEdge("decide", "d")
      .addEdge("b", END)
      .addEdge("c", END)
      .addEdge("d", END)
      .compile({ store: false });
    expect((await graph.invoke({})).log).toEqual(["b", "c:sent", "d"]);
  });

  it("fails on a goto to an unknown node, naming the node", async () => {
    const graph = new StateGraph(State)
      .addNode("decide", () => new Command({ goto: "ghost" }))
      .addEdge(START, "decide")
      .addEdge("decide", END)
      .compile({ store: false });
    await expect(graph.invoke({})).rejects.toThrow(
      'Node "decide" returned a Command to unknown node "ghost"',
    );
  });
});

describe("the step limit", () => {
  it("stops an endless loop with a clear error after stepLimit steps", async () => {
    let runs = 0;
    const graph = new StateGraph(State)
      .addNode("spin", (s) => {
        runs++;
        return { n: s.n + 1 };
      })
      .addEdge(START, "spin")
      .addConditionalEdges("spin", () => "spin", { spin: "spin", done: END })
      .compile({ store: new MemoryStore(), stepLimit: 25 });
    const result = await graph.run({});
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("STEP_LIMIT");
    expect(result.error?.message).toBe("Run stopped after 25 steps (stepLimit); the graph may loop forever");
    expect(runs).toBe(25);
    expect(result.state.n).toBe(25);
  });

  it("defaults to 1,000 steps", async () => {
    const graph = new StateGraph(State)
      .addNode("spin", (s) => ({ n: s.n + 1 }))
      .addEdge(START, "spin")
      .addConditionalEdges("spin", () => ["spin"])
      .compile({ store: false });
    const result = await graph.run({});
    expect(result.error?.message).toContain("after 1000 steps");
    expect(result.state.n).toBe(1000);
  });
});
