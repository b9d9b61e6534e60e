import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph } from "../graph/core.js";
import { aborted, deferred, sleep } from "./helpers.js";

const State = defineState({ log: append<string>() });

/** START -> book (undoable) -> wait (until cancelled, or `ignore` ms ignoring its signal) -> after -> END. */
function cancellable(ignoreMs?: number) {
  const entered = deferred();
  const seen = { undone: [] as string[], after: 0, signal: undefined as AbortSignal | undefined };
  const graph = new StateGraph(State)
    .addNode("book", () => ({ log: "book" }), {
      compensate: () => {
        seen.undone.push("book");
      },
    })
    .addNode("wait", async (_s, ctx) => {
      seen.signal = ctx.signal;
      entered.resolve();
      if (ignoreMs === undefined) await aborted(ctx.signal);
      else await sleep(ignoreMs);
      return { log: "wait" };
    })
    .addNode("after", () => {
      seen.after++;
      return { log: "after" };
    })
    .addEdge(START, "book")
    .addEdge("book", "wait")
    .addEdge("wait", "after")
    .addEdge("after", END)
    .compile({ store: new MemoryStore() });
  return { graph, entered: entered.promise, seen };
}

describe("cancel", () => {
  it("aborts in-flight nodes through their signal and marks the run cancelled", async () => {
    const { graph, entered, seen } = cancellable();
    const events: string[] = [];
    const running = graph.run({}, { runId: "c", onEvent: (e) => events.push(e.type) });
    await entered;
    await graph.cancel("c");
    const result = await running;
    expect(result.status).toBe("cancelled");
    expect(result.error).toMatchObject({ code: "RUN_CANCELLED", message: "Run c was cancelled" });
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.after).toBe(0);
    expect(seen.undone).toEqual([]);
    expect(result.state.log).toEqual(["book"]);
    expect((await graph.store!.getRun("c"))?.status).toBe("cancelled");
    expect(events.at(-1)).toBe("run_finished");
  });

  it("does not wait for a node that ignores its signal", async () => {
    const { graph, entered } = cancellable(2000);
    const started = Date.now();
    const running = graph.run({}, { runId: "c" });
    await entered;
    await graph.cancel("c");
    expect((await running).status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("undoes completed steps when asked to compensate", async () => {
    const { graph, entered, seen } = cancellable();
    const running = graph.run({}, { runId: "c" });
    await entered;
    await graph.cancel("c", { compensate: true });
    const result = await running;
    expect(result.status).toBe("compensated");
    expect(seen.undone).toEqual(["book"]);
  });

  it("cancels a paused run that nothing is executing", async () => {
    const graph = new StateGraph(State)
      .addNode("ask", (_s, ctx) => ({ log: ctx.interrupt<string>("ok?") }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ store: new MemoryStore() });
    expect((await graph.run({}, { runId: "p" })).status).toBe("interrupted");
    await graph.cancel("p");
    expect((await graph.getState("p")).run.status).toBe("cancelled");
    await expect(graph.resume("p", "yes")).rejects.toThrow("Run p is cancelled");
  });

  it("through the caller's own AbortSignal", async () => {
    const { graph, entered, seen } = cancellable();
    const controller = new AbortController();
    const running = graph.run({}, { signal: controller.signal });
    await entered;
    controller.abort();
    expect((await running).status).toBe("cancelled");
    expect(seen.after).toBe(0);
  });
});
