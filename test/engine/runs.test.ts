import { describe, expect, it } from "vitest";
import { BatonError } from "../../src/errors.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";

const State = defineState({ n: value(0), log: append<string>() });

/** START -> one -> two -> END, counting node calls. */
function counter(store: MemoryStore | false = new MemoryStore()) {
  const calls = { one: 0, two: 0 };
  const graph = new StateGraph(State)
    .addNode("one", (s) => {
      calls.one++;
      return { n: s.n + 1, log: "one" };
    })
    .addNode("two", (s) => {
      calls.two++;
      return { n: s.n * 10, log: "two" };
    })
    .addEdge(START, "one")
    .addEdge("one", "two")
    .addEdge("two", END)
    .compile({ store });
  return { graph, calls };
}

describe("invoke and run", () => {
  it("invoke returns the final state", async () => {
    expect(await counter().graph.invoke({ n: 1 })).toEqual({ n: 20, log: ["one", "two"] });
  });

  it("run reports how the run ended", async () => {
    const result = await counter().graph.run({ n: 1 }, { runId: "r" });
    expect(result).toMatchObject({ runId: "r", status: "completed", steps: 2, state: { n: 20 } });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.error).toBeUndefined();
  });

  it("starting the same runId twice returns the same run without running it again", async () => {
    const { graph, calls } = counter();
    const first = await graph.run({ n: 1 }, { runId: "same" });
    const second = await graph.run({ n: 5 }, { runId: "same" });
    expect(calls).toEqual({ one: 1, two: 1 });
    expect(second.runId).toBe("same");
    expect(second.status).toBe("completed");
    expect(second.state).toEqual(first.state);
  });
});

describe("getState and history", () => {
  it("getState rebuilds the final state from the stored writes", async () => {
    const { graph } = counter();
    const result = await graph.run({ n: 2 }, { runId: "r" });
    const snapshot = await graph.getState("r");
    expect(snapshot.state).toEqual(result.state);
    expect(snapshot.next).toEqual([]);
    expect(snapshot.run).toMatchObject({ id: "r", status: "completed", step: 2, input: { n: 2 } });
  });

  it("history lists every checkpoint with the state and next tasks at that point", async () => {
    const { graph } = counter();
    await graph.run({ n: 2 }, { runId: "r" });
    const history = await graph.history("r");
    expect(history.map((h) => [h.step, h.state, h.next.map((t) => t.id)])).toEqual([
      [0, { n: 2, log: [] }, ["one"]],
      [1, { n: 3, log: ["one"] }, ["two"]],
      [2, { n: 30, log: ["one", "two"] }, []],
    ]);
  });

  it("fork starts a new run from a past checkpoint with an update applied", async () => {
    const { graph } = counter();
    await graph.run({ n: 2 }, { runId: "r" });
    const forked = await graph.fork("r", { step: 1, update: { n: 100 }, runId: "f" });
    expect(forked.status).toBe("completed");
    expect(forked.state).toEqual({ n: 1000, log: ["one", "two"] });
    expect((await graph.getState("f")).run.parent).toEqual({ runId: "r", step: 1 });
    expect((await graph.getState("r")).state.n).toBe(30);
  });

  it("name an unknown run, and say a store is needed when there is none", async () => {
    await expect(counter().graph.getState("nope")).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
      message: 'No run with id "nope"',
    });
    const error = await counter(false)
      .graph.getState("x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe("STORE");
    expect((error as BatonError).message).toContain("compiled with store: false");
  });

  it("keeps nothing with store: false", async () => {
    const { graph } = counter(false);
    expect(graph.store).toBeUndefined();
    expect((await graph.run({ n: 1 })).state.n).toBe(20);
  });
});
