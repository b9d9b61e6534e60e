import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, reduce, Send, START, StateGraph, value } from "../graph/core.js";
import { sleep } from "./helpers.js";

/** A non-commutative reducer (string concatenation) shows any change in the order writes apply in. */
const State = defineState({
  trail: reduce((a: string, b: string) => a + b, ""),
  items: append<string>(),
  last: value(""),
});

/**
 * START fans out to edge-triggered "m" and "z" and to three `Send`s to "a"; each task sleeps
 * `delay(id)` ms. Writes must apply as a#0, a#1, a#2, m, z whatever order they finish in.
 */
function fanOut(delay: (id: string) => number, store: MemoryStore | false = false) {
  const write = (id: string) => ({ trail: id, items: [`${id}.1`, `${id}.2`] });
  return new StateGraph(State)
    .addNode("a", async (_s, ctx) => {
      const id = `a${String(ctx.input)}`;
      await sleep(delay(id));
      return write(id);
    })
    .addNode("m", async () => {
      await sleep(delay("m"));
      return write("m");
    })
    .addNode("z", async () => {
      await sleep(delay("z"));
      return write("z");
    })
    .addConditionalEdges(START, () => ["z", new Send("a", 0), "m", new Send("a", 1), new Send("a", 2)])
    .addEdge("a", END)
    .addEdge("m", END)
    .addEdge("z", END)
    .compile({ store });
}

const ORDERED_TRAIL = "a0a1a2mz";

describe("writes", () => {
  it("apply in node-name then send-index order, not completion order", async () => {
    const finishedFirst = { z: 0, m: 2, a2: 4, a1: 6, a0: 8 } as Record<string, number>;
    const store = new MemoryStore();
    const graph = fanOut((id) => finishedFirst[id]!, store);
    const result = await graph.run({});
    expect(result.state.trail).toBe(ORDERED_TRAIL);
    expect(result.state.items).toEqual([
      "a0.1",
      "a0.2",
      "a1.1",
      "a1.2",
      "a2.1",
      "a2.2",
      "m.1",
      "m.2",
      "z.1",
      "z.2",
    ]);
    // The state replayed from the store's records is the same as the live one.
    expect((await graph.getState(result.runId)).state).toEqual(result.state);
  });

  it("give identical reducer results across 50 trials with random branch delays", async () => {
    const graph = fanOut(() => Math.floor(Math.random() * 4));
    const results = new Set<string>();
    for (let trial = 0; trial < 50; trial++) results.add(JSON.stringify(await graph.invoke({})));
    expect(results.size).toBe(1);
    expect(JSON.parse([...results][0]!).trail).toBe(ORDERED_TRAIL);
  });

  it("fold several reduce writes of one step, and keep earlier state", async () => {
    const graph = new StateGraph(State)
      .addNode("p", () => ({ trail: "p" }))
      .addNode("q", () => ({ trail: "q", last: "q" }))
      .addEdge(START, "p")
      .addEdge(START, "q")
      .addEdge("q", END)
      .addEdge("p", END)
      .compile({ store: false });
    expect(await graph.invoke({ trail: ">" })).toEqual({ trail: ">pq", items: [], last: "q" });
  });

  it("refuse two writes to a last-value key in one step, naming the key and both nodes", async () => {
    const graph = new StateGraph(State)
      .addNode("left", () => ({ last: "L" }))
      .addNode("right", () => ({ last: "R" }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .addEdge("left", END)
      .addEdge("right", END)
      .compile({ store: new MemoryStore() });
    const result = await graph.run({});
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("WRITE_CONFLICT");
    expect(result.error?.message).toMatch(
      /^State key "last" was written by "left" and "right" in step 1; a last-value key takes one write per step/,
    );
    await expect(graph.invoke({})).rejects.toThrow(/State key "last" was written by "left" and "right"/);
  });

  it("refuse two Sends to one node writing the same last-value key", async () => {
    const graph = new StateGraph(State)
      .addNode("w", (_s, ctx) => ({ last: String(ctx.input) }))
      .addConditionalEdges(START, () => [new Send("w", 1), new Send("w", 2)])
      .addEdge("w", END)
      .compile({ store: false });
    await expect(graph.invoke({})).rejects.toThrow(
      /State key "last" was written by two tasks of "w" in step 1/,
    );
  });

  it("allow one last-value write per step across steps", async () => {
    const graph = new StateGraph(State)
      .addNode("first", () => ({ last: "1" }))
      .addNode("second", () => ({ last: "2" }))
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile({ store: false });
    expect((await graph.invoke({ last: "0" })).last).toBe("2");
  });

  it("reject an update with an unknown key or of the wrong shape, naming the node", async () => {
    const build = (fn: () => unknown) =>
      new StateGraph(State)
        .addNode("bad", fn as () => undefined)
        .addEdge(START, "bad")
        .addEdge("bad", END)
        .compile({ store: false });
    const unknown = await build(() => ({ oops: 1 })).run({});
    expect(unknown.error).toMatchObject({ code: "NODE_FAILED", node: "bad" });
    expect(unknown.error?.message).toContain('Node "bad" wrote unknown state key "oops"');
    const array = await build(() => [1, 2]).run({});
    // A list is a list of updates (see composition.test.ts); its items must be updates.
    expect(array.error?.message).toContain('Node "bad" returned a number; return an object of state keys');
  });

  it("treat an undefined or null return as no write", async () => {
    const graph = new StateGraph(State)
      .addNode("a", () => undefined)
      .addNode("b", () => null as unknown as undefined)
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge("a", END)
      .addEdge("b", END)
      .compile({ store: false });
    expect(await graph.invoke({ last: "kept" })).toEqual({ trail: "", items: [], last: "kept" });
  });

  it("refuse an undefined value for a key, naming the node and the key", async () => {
    const graph = new StateGraph(State)
      .addNode("b", () => ({ last: undefined }))
      .addEdge(START, "b")
      .addEdge("b", END)
      .compile({ store: false });
    const result = await graph.run({ last: "kept" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/Node "b" wrote undefined to state key "last".*null/);
    expect(result.state.last).toBe("kept");
  });
});
