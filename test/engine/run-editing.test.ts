import { describe, expect, it } from "vitest";
import type { CompileOptions } from "../../src/engine/compiled.js";
import type { Store } from "../../src/engine/store.js";
import { GraphValidationError } from "../../src/errors.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { engineStores } from "../helpers/engine-stores.js";
import { deferred } from "./helpers.js";

const stores = engineStores("edit");

const State = defineState({ log: append<string>(), count: value(0) });

/** START -> a -> b -> c -> END; b logs the count it saw. */
function chain(store: Store, options: CompileOptions = {}) {
  return new StateGraph(State)
    .addNode("a", () => ({ log: "a", count: 1 }))
    .addNode("b", (s) => ({ log: `b saw ${s.count}` }))
    .addNode("c", () => ({ log: "c" }))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ store, name: "chain", ...options });
}

describe.each(stores)("static breakpoints (%s)", (_name, makeStore) => {
  it("pauses before a node, and resume continues past it (a value is refused: it asks nothing)", async () => {
    const store = makeStore();
    const graph = chain(store, { interruptBefore: ["b"] });
    const paused = await graph.run({}, { runId: "bp" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toEqual([
      expect.objectContaining({ node: "b", step: 2, breakpoint: "before" }),
    ]);
    expect(paused.state.log).toEqual(["a"]);
    await expect(graph.resume("bp", "yes")).rejects.toMatchObject({ code: "INPUT_INVALID" });
    const done = await graph.resume("bp");
    expect(done.status).toBe("completed");
    expect(done.state.log).toEqual(["a", "b saw 1", "c"]);
  });

  it("pauses after a node, per call, and a resume can carry an update the next node sees", async () => {
    const store = makeStore();
    const graph = chain(store);
    const paused = await graph.run({}, { runId: "after", interruptAfter: ["a"] });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toEqual([expect.objectContaining({ node: "a", breakpoint: "after" })]);
    const done = await graph.resume("after", undefined, { update: { count: 5 } });
    expect(done.state.log).toEqual(["a", "b saw 5", "c"]);
    const edits = (await graph.events("after")).filter((e) => e.type === "state_updated");
    expect(edits).toEqual([expect.objectContaining({ update: { count: 5 } })]);
  });

  it("stops a parallel step as a whole: before it, nothing of it has run; after it, all of it has", async () => {
    const store = makeStore();
    const ran: string[] = [];
    const graph = new StateGraph(State)
      .addNode("x", () => {
        ran.push("x");
        return { log: "x" };
      })
      .addNode("y", () => {
        ran.push("y");
        return { log: "y" };
      })
      .addNode("z", () => ({ log: "z" }))
      .addEdge(START, "x")
      .addEdge(START, "y")
      .addEdge(["x", "y"], "z")
      .addEdge("z", END)
      .compile({ store, name: "parallel", interruptBefore: ["y"], interruptAfter: ["x"] });
    expect((await graph.run({}, { runId: "par" })).status).toBe("interrupted");
    expect(ran).toEqual([]);
    const afterStep = await graph.resume("par");
    expect(afterStep.status).toBe("interrupted");
    expect(afterStep.interrupts).toEqual([expect.objectContaining({ node: "x", breakpoint: "after" })]);
    expect(ran.sort()).toEqual(["x", "y"]);
    const done = await graph.resume("par");
    expect(done.state.log).toEqual(["x", "y", "z"]);
  });

  it("refuses breakpoints naming unknown nodes: at compile, or before a run is stored", async () => {
    const store = makeStore();
    expect(() => chain(store, { interruptBefore: ["nope"] })).toThrow(GraphValidationError);
    expect(() => chain(store, { interruptAfter: ["gone"] })).toThrow(
      /interruptAfter names unknown node "gone"/,
    );
    await expect(chain(store).run({}, { runId: "never", interruptBefore: ["zz"] })).rejects.toMatchObject({
      code: "INPUT_INVALID",
    });
    expect(await store.getRun("never")).toBeUndefined();
  });
});

describe.each(stores)("updateState (%s)", (_name, makeStore) => {
  it("edits a finished run through the reducers, recorded with who did it", async () => {
    const store = makeStore();
    const graph = chain(store);
    await graph.run({}, { runId: "done" });
    const edited = await graph.updateState(
      "done",
      { log: "fixed", count: 9 },
      { actor: { via: "cli", who: "sam" } },
    );
    expect(edited.state).toEqual({ log: ["a", "b saw 1", "c", "fixed"], count: 9 });
    expect((await graph.getState("done")).state.count).toBe(9);
    expect((await store.getRun("done"))!.status).toBe("completed");
    const edits = (await graph.events("done")).filter((e) => e.type === "state_updated");
    expect(edits).toEqual([
      expect.objectContaining({ by: { via: "cli", who: "sam" }, update: { log: "fixed", count: 9 } }),
    ]);
  });

  it("as a node: the run pauses after it and resume continues from its edges", async () => {
    const store = makeStore();
    const graph = chain(store, { interruptBefore: ["b"] });
    await graph.run({}, { runId: "asnode" });
    // Pretend b ran and wrote this: c runs next, b does not.
    const edited = await graph.updateState("asnode", { log: "b by hand" }, { asNode: "b" });
    expect(edited.next.map((t) => t.node)).toEqual(["c"]);
    expect(edited.run.status).toBe("interrupted");
    const done = await graph.resume("asnode");
    expect(done.state.log).toEqual(["a", "b by hand", "c"]);
  });

  it("refuses a run a live process drives, unknown keys and unknown nodes, changing nothing", async () => {
    const store = makeStore();
    const gate = deferred<void>();
    const graph = new StateGraph(State)
      .addNode("slow", async () => {
        await gate.promise;
        return { log: "slow" };
      })
      .addEdge(START, "slow")
      .addEdge("slow", END)
      .compile({ store, name: "slow" });
    const running = graph.run({}, { runId: "live" });
    await expect(graph.updateState("live", { count: 1 })).rejects.toMatchObject({ code: "RUN_BUSY" });
    gate.resolve();
    await running;
    const before = await store.listCheckpoints("live");
    await expect(graph.updateState("live", { nope: 1 } as never)).rejects.toMatchObject({
      code: "INPUT_INVALID",
    });
    await expect(graph.updateState("live", { count: 1 }, { asNode: "ghost" })).rejects.toMatchObject({
      code: "INPUT_INVALID",
    });
    expect(await store.listCheckpoints("live")).toEqual(before);
  });
});
