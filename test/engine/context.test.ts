import { describe, expect, it } from "vitest";
import type { NodeContext } from "../../src/graph/types.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, Send, START, StateGraph } from "../graph/core.js";

const State = defineState({ log: append<string>() });

/** START -> first -> (plain "each" + Sends to "each") -> END, recording every context. */
function recording() {
  const seen: NodeContext[] = [];
  const keep = (_s: unknown, ctx: NodeContext) => {
    seen.push(ctx);
    return {};
  };
  const graph = new StateGraph(State)
    .addNode("first", keep)
    .addNode("each", keep)
    .addEdge(START, "first")
    .addEdge("first", "each")
    .addConditionalEdges("first", () => [new Send("each", "x"), new Send("each", "y")])
    .addEdge("each", END)
    .compile({ store: new MemoryStore() });
  return { graph, seen };
}

describe("the node context", () => {
  it("carries runId, node, step, attempt, input and a live signal", async () => {
    const { graph, seen } = recording();
    await graph.invoke({}, { runId: "run-7" });
    expect(seen.map((c) => [c.runId, c.node, c.step, c.attempt, c.input])).toEqual([
      ["run-7", "first", 1, 1, undefined],
      ["run-7", "each", 2, 1, undefined],
      ["run-7", "each", 2, 1, "x"],
      ["run-7", "each", 2, 1, "y"],
    ]);
    for (const ctx of seen) {
      expect(ctx.signal).toBeInstanceOf(AbortSignal);
      expect(ctx.signal.aborted).toBe(false);
    }
  });

  it("gives a stable idempotency key runId:node:step[:sendIndex]", async () => {
    const { graph, seen } = recording();
    await graph.invoke({}, { runId: "run-7" });
    expect(seen.map((c) => c.idempotencyKey)).toEqual([
      "run-7:first:1",
      "run-7:each:2",
      "run-7:each:2:0",
      "run-7:each:2:1",
    ]);
    const again = recording();
    await again.graph.invoke({}, { runId: "run-8" });
    expect(again.seen.map((c) => c.idempotencyKey)).toEqual([
      "run-8:first:1",
      "run-8:each:2",
      "run-8:each:2:0",
      "run-8:each:2:1",
    ]);
  });

  it("uses a fresh UUID as runId when none is given", async () => {
    const { graph, seen } = recording();
    const result = await graph.run({});
    expect(result.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(seen.map((c) => c.runId))).toEqual(new Set([result.runId]));
    expect((await graph.run({})).runId).not.toBe(result.runId);
  });

  it("aborts the signal when the run's signal is aborted", async () => {
    let signal: AbortSignal | undefined;
    const controller = new AbortController();
    const graph = new StateGraph(State)
      .addNode("wait", async (_s, ctx) => {
        signal = ctx.signal;
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 5));
        return {};
      })
      .addEdge(START, "wait")
      .addEdge("wait", END)
      .compile({ store: false });
    const result = await graph.run({}, { signal: controller.signal });
    expect(signal?.aborted).toBe(true);
    expect(result.status).toBe("cancelled");
  });
});
