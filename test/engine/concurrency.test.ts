import { describe, expect, it } from "vitest";
import { append, defineState, END, Send, START, StateGraph } from "../graph/core.js";
import { sleep } from "./helpers.js";

const State = defineState({ done: append<number>() });

/** `n` Sends to a node that tracks how many of its tasks run at once. */
function tracked(n: number, maxConcurrency?: number) {
  const gauge = { now: 0, peak: 0 };
  const graph = new StateGraph(State)
    .addNode("work", async (_s, ctx) => {
      gauge.now++;
      gauge.peak = Math.max(gauge.peak, gauge.now);
      await sleep(2);
      gauge.now--;
      return { done: ctx.input as number };
    })
    .addConditionalEdges(START, () => Array.from({ length: n }, (_, i) => new Send("work", i)))
    .addEdge("work", END)
    .compile(maxConcurrency === undefined ? { store: false } : { store: false, maxConcurrency });
  return { graph, gauge };
}

describe("concurrency", () => {
  it("runs every task of a step at once by default", async () => {
    const { graph, gauge } = tracked(50);
    const state = await graph.invoke({});
    expect(gauge.peak).toBe(50);
    expect(state.done).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it.each([1, 3, 8])(
    "never runs more than maxConcurrency = %i tasks at once, and uses them all",
    async (limit) => {
      const { graph, gauge } = tracked(20, limit);
      const state = await graph.invoke({});
      expect(gauge.peak).toBe(limit);
      expect(state.done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    },
  );

  it("runs the parallel branches of a step concurrently, not one after another", async () => {
    const graph = new StateGraph(State);
    const names = Array.from({ length: 20 }, (_, i) => `b${i}`);
    names.forEach((name, i) => {
      graph.addNode(name, async () => {
        await sleep(30);
        return { done: i };
      });
      graph.addEdge(START, name).addEdge(name, END);
    });
    const started = performance.now();
    await graph.compile({ store: false }).invoke({});
    expect(performance.now() - started).toBeLessThan(20 * 30);
  });

  it("does not pile abort listeners on the run's signal (no MaxListenersExceededWarning)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const graph = new StateGraph(State)
        .addNode(
          "work",
          async (_s, ctx) => {
            await sleep(1);
            return { done: ctx.input as number };
          },
          { timeout: 1000, retry: { attempts: 2, initialDelayMs: 1 } },
        )
        .addConditionalEdges(START, () => Array.from({ length: 30 }, (_, i) => new Send("work", i)))
        .addEdge("work", END)
        .compile({ store: false });
      await graph.invoke({});
      await sleep(5);
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});
