import { describe, expect, it } from "vitest";
import { BatonError } from "../../src/errors.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { collect } from "./helpers.js";

const State = defineState({ log: append<string>(), decision: value("") });

/** START -> [ask, side] -> after -> END; `ask` pauses for a decision, `side` just works. */
function approval() {
  const calls = { ask: 0, side: 0, after: 0 };
  const keys: string[] = [];
  const graph = new StateGraph(State)
    .addNode("ask", (_s, ctx) => {
      calls.ask++;
      keys.push(ctx.idempotencyKey);
      const decision = ctx.interrupt<string>({ question: "ship it?" });
      return { decision, log: `ask:${decision}` };
    })
    .addNode("side", () => {
      calls.side++;
      return { log: "side" };
    })
    .addNode("after", (s) => {
      calls.after++;
      return { log: `after:${s.decision}` };
    })
    .addEdge(START, "ask")
    .addEdge(START, "side")
    .addEdge(["ask", "side"], "after")
    .addEdge("after", END)
    .compile({ store: new MemoryStore() });
  return { graph, calls, keys };
}

describe("interrupt and resume", () => {
  it("pause the run with the payload visible, and continue with the resume value", async () => {
    const { graph, calls, keys } = approval();
    const paused = await graph.run({}, { runId: "r" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toEqual([
      { taskId: "ask", node: "ask", step: 1, payload: { question: "ship it?" } },
    ]);
    const snapshot = await graph.getState("r");
    expect(snapshot.run.status).toBe("interrupted");
    expect(snapshot.run.interrupts?.[0]?.payload).toEqual({ question: "ship it?" });
    expect(snapshot.next.map((t) => t.id)).toEqual(["ask", "side"]);

    const done = await graph.resume("r", "yes");
    expect(done.status).toBe("completed");
    expect(done.state).toEqual({ log: ["ask:yes", "side", "after:yes"], decision: "yes" });
    // The finished sibling never runs again; the interrupted node runs again under the same key.
    expect(calls).toEqual({ ask: 2, side: 1, after: 1 });
    expect(keys).toEqual(["r:ask:1", "r:ask:1"]);
    expect((await graph.getState("r")).run.interrupts).toBeUndefined();
  });

  it("invoke returns the state at the pause instead of throwing", async () => {
    const { graph } = approval();
    expect(await graph.invoke({ decision: "pending" })).toEqual({ log: [], decision: "pending" });
  });

  it("report the pause as an event and a run_finished with status interrupted", async () => {
    const { graph } = approval();
    const events = await collect(graph.stream({}));
    expect(events.find((e) => e.type === "interrupted")).toMatchObject({
      node: "ask",
      payload: { question: "ship it?" },
    });
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "interrupted" });
  });

  it("return each resume value to its interrupt in order, pausing again for the next", async () => {
    const graph = new StateGraph(State)
      .addNode("two", (_s, ctx) => {
        const first = ctx.interrupt<string>("first?");
        const second = ctx.interrupt<string>("second?");
        return { log: `${first}+${second}` };
      })
      .addEdge(START, "two")
      .addEdge("two", END)
      .compile({ store: new MemoryStore() });
    expect((await graph.run({}, { runId: "r" })).interrupts?.[0]?.payload).toBe("first?");
    const again = await graph.resume("r", "A");
    expect(again.status).toBe("interrupted");
    expect(again.interrupts?.[0]?.payload).toBe("second?");
    const done = await graph.resume("r", "B");
    expect(done.state.log).toEqual(["A+B"]);
  });

  it("refuse to resume a run that is finished, naming it", async () => {
    const { graph } = approval();
    await graph.run({}, { runId: "r" });
    await graph.resume("r", "yes");
    const error = await graph.resume("r", "again").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe("RUN_STATE");
    expect((error as BatonError).message).toContain("Run r is completed");
    await expect(graph.resume("missing")).rejects.toThrow('No run with id "missing"');
  });
});
