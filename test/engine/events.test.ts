import { describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph } from "../graph/core.js";
import { collect } from "./helpers.js";

const State = defineState({ log: append<string>() });

function linear(store: MemoryStore | false) {
  return new StateGraph(State)
    .addNode("a", (_s, ctx) => {
      ctx.emit({ progress: 0.5 });
      ctx.emit("almost");
      return { log: "a" };
    })
    .addNode("b", () => ({ log: "b" }))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", END)
    .compile({ store, name: "linear" });
}

const brief = (e: RunEvent) => {
  switch (e.type) {
    case "step_started":
      return `${e.type} ${e.step} [${e.tasks.map((t) => t.id).join(",")}]`;
    case "checkpoint_saved":
      return `${e.type} ${e.step}`;
    case "node_custom":
      return `${e.type} ${e.node} ${JSON.stringify(e.data)}`;
    case "run_finished":
      return `${e.type} ${e.status}`;
    default:
      return "node" in e ? `${e.type} ${e.node}` : e.type;
  }
};

describe("stream()", () => {
  it("yields every event in order, from run_started to run_finished, with custom ones", async () => {
    const events = await collect(linear(new MemoryStore()).stream({}, { runId: "r1" }));
    expect(events.map(brief)).toEqual([
      "run_started",
      "step_started 1 [a]",
      "node_started a",
      'node_custom a {"progress":0.5}',
      'node_custom a "almost"',
      "node_succeeded a",
      "checkpoint_saved 1",
      "step_started 2 [b]",
      "node_started b",
      "node_succeeded b",
      "checkpoint_saved 2",
      "run_finished completed",
    ]);
    for (const e of events) expect(e.runId).toBe("r1");
    expect(events[0]).toMatchObject({ type: "run_started", graph: "linear", resumed: false });
    expect(events.find((e) => e.type === "node_succeeded")).toMatchObject({
      step: 1,
      taskId: "a",
      attempt: 1,
      update: { log: "a" },
    });
    const times = events.map((e) => e.at);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it("saves no checkpoints without a store, and says so by not reporting any", async () => {
    const events = await collect(linear(false).stream({}));
    expect(events.map((e) => e.type)).not.toContain("checkpoint_saved");
    expect(events.at(0)?.type).toBe("run_started");
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "completed" });
  });

  it("reports each parallel node as started before it succeeded, all inside its step", async () => {
    const graph = new StateGraph(State)
      .addNode("x", async () => ({ log: "x" }))
      .addNode("y", () => ({ log: "y" }))
      .addEdge(START, "x")
      .addEdge(START, "y")
      .addEdge("x", END)
      .addEdge("y", END)
      .compile({ store: false });
    const events = (await collect(graph.stream({}))).map(brief);
    expect(events[1]).toBe("step_started 1 [x,y]");
    for (const n of ["x", "y"])
      expect(events.indexOf(`node_started ${n}`)).toBeLessThan(events.indexOf(`node_succeeded ${n}`));
    expect(events.at(-1)).toBe("run_finished completed");
    expect(events).toHaveLength(7);
  });

  it("ends with node_failed and a failed run_finished carrying the error", async () => {
    const graph = new StateGraph(State)
      .addNode("boom", () => {
        throw new Error("kaput");
      })
      .addEdge(START, "boom")
      .addEdge("boom", END)
      .compile({ store: false });
    const events = await collect(graph.stream({}));
    expect(events.map(brief).slice(-2)).toEqual(["node_failed boom", "run_finished failed"]);
    expect(events.at(-1)).toMatchObject({ error: { code: "NODE_FAILED", node: "boom" } });
  });
});

describe("onEvent", () => {
  it("delivers the same events to a listener, and survives a listener that throws", async () => {
    const seen: string[] = [];
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const result = await linear(false).run(
        {},
        {
          onEvent: (e) => {
            seen.push(e.type);
            if (e.type === "node_started") throw new Error("listener bug");
          },
        },
      );
      expect(result.status).toBe("completed");
      expect(quiet).toHaveBeenCalled();
    } finally {
      quiet.mockRestore();
    }
    expect(seen.at(0)).toBe("run_started");
    expect(seen.filter((t) => t === "node_custom")).toHaveLength(2);
    expect(seen.at(-1)).toBe("run_finished");
  });
});
