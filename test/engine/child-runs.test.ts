import { describe, expect, it } from "vitest";
import { ChildRunFailedError } from "../../src/engine/child-runs.js";
import { recoverRuns } from "../../src/engine/recover.js";
import type { Store } from "../../src/engine/store.js";
import { Send } from "../../src/graph/commands.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { engineStores } from "../helpers/engine-stores.js";
import { untilAborted } from "./helpers.js";

const stores = engineStores("child");

async function until(probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const Order = defineState({ item: value(""), charged: value(0), log: append<string>() });
const Parent = defineState({ items: value<string[]>([]), receipts: append<string>(), error: value("") });

/** A child workflow: charge an item (counted in an outside ledger). */
function charge(store: Store, ledger: string[], name = "charge") {
  return new StateGraph(Order)
    .addNode("charge", (s) => {
      ledger.push(s.item);
      if (s.item === "broken") throw new Error("card declined");
      return { charged: s.item.length, log: `charged ${s.item}` };
    })
    .addEdge(START, "charge")
    .addEdge("charge", END)
    .compile({ store, name });
}

/** A child workflow that waits for the event "paid" and logs who paid. */
function awaitsPayment(store: Store, name: string) {
  return new StateGraph(Order)
    .addNode("await", async (_s, ctx) => {
      const got = await ctx.waitForEvent<string>("paid");
      return { log: got.timedOut ? "timed out" : `paid by ${got.payload}` };
    })
    .addEdge(START, "await")
    .addEdge("await", END)
    .compile({ store, name });
}

describe.each(stores)("ctx.runChild (%s)", (_name, makeStore) => {
  it("starts a separate run and returns its final state, typed; the two runs link both ways", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    const child = charge(store, ledger);
    const graph = new StateGraph(Parent)
      .addNode("buy", async (s, ctx) => {
        const done = await ctx.runChild(child, { item: s.items[0]! });
        const charged: number = done.charged;
        return { receipts: `${done.log.join(",")} for ${charged}` };
      })
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "shop" });
    const result = await graph.run({ items: ["lamp"] }, { runId: "o1" });
    expect(result.status).toBe("completed");
    expect(result.state.receipts).toEqual(["charged lamp for 4"]);
    const child1 = await store.getRun("o1:buy:1:0");
    expect(child1).toMatchObject({
      graph: "charge",
      status: "completed",
      parent: { runId: "o1", step: 1, taskId: "buy", kind: "child" },
      createdBy: { via: "parent", who: "o1" },
    });
    expect((await store.listRuns({ parent: "o1" })).map((r) => r.id)).toEqual(["o1:buy:1:0"]);
    expect(await graph.events("o1")).toContainEqual(
      expect.objectContaining({
        type: "child_started",
        childRunId: "o1:buy:1:0",
        graph: "charge",
        kind: "child",
      }),
    );
    expect((await child.events("o1:buy:1:0"))[0]).toMatchObject({
      type: "run_created",
      from: { runId: "o1", as: "child", taskId: "buy" },
    });
  });

  it("finds a workflow by its name, and refuses an unknown one before any child is stored", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    charge(store, ledger, "charge-by-name");
    const graph = (workflow: string) =>
      new StateGraph(Parent)
        .addNode("buy", async (_s, ctx) => {
          const done = await ctx.runChild<{ charged: number }>(workflow, { item: "desk" });
          return { receipts: `charged ${done.charged}` };
        })
        .addEdge(START, "buy")
        .addEdge("buy", END)
        .compile({ store, name: `shop-${workflow}` });
    expect((await graph("charge-by-name").invoke({})).receipts).toEqual(["charged 4"]);
    const unknown = await graph("no-such-flow").run({}, { runId: "u1" });
    expect(unknown.status).toBe("failed");
    expect(unknown.error?.message).toMatch(/ctx.runChild names unknown workflow "no-such-flow"/);
    expect(await store.listRuns({ parent: "u1" })).toEqual([]);
  });

  it("throws the child's typed failure, which the node may catch", async () => {
    const store = makeStore();
    const child = charge(store, []);
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => {
        try {
          await ctx.runChild(child, { item: "broken" });
          return {};
        } catch (error) {
          if (!(error instanceof ChildRunFailedError)) throw error;
          return { error: `${error.status}: ${error.error?.message}` };
        }
      })
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "catches" });
    const state = await graph.invoke({});
    expect(state.error).toMatch(/^failed: Node "charge" failed: card declined/);
  });

  it("never starts a second child for the same call: a retry of the parent's node finds the first", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    const child = charge(store, ledger);
    let attempts = 0;
    const graph = new StateGraph(Parent)
      .addNode(
        "buy",
        async (_s, ctx) => {
          const done = await ctx.runChild(child, { item: "chair" });
          if (++attempts === 1) throw new Error("after the child, before returning");
          return { receipts: done.log };
        },
        { retry: { attempts: 2, initialDelayMs: 1 } },
      )
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "retry-parent" });
    const state = await graph.invoke({}, { runId: "r1" });
    expect(state.receipts).toEqual(["charged chair"]);
    expect(ledger).toEqual(["chair"]);
    expect(await store.listRuns({ parent: "r1" })).toHaveLength(1);
  });

  it("fans children out through Send, each its own run", async () => {
    const store = makeStore();
    const ledger: string[] = [];
    const child = charge(store, ledger);
    const graph = new StateGraph(Parent)
      .addNode("one", async (_s, ctx) => {
        const done = await ctx.runChild(child, { item: ctx.input as string });
        return { receipts: done.log };
      })
      .addConditionalEdges(START, (s) => s.items.map((item) => new Send("one", item)))
      .addEdge("one", END)
      .compile({ store, name: "fan" });
    const state = await graph.invoke({ items: ["a", "bb", "ccc", "dddd", "eeeee"] }, { runId: "fan1" });
    expect([...state.receipts].sort()).toEqual([
      "charged a",
      "charged bb",
      "charged ccc",
      "charged dddd",
      "charged eeeee",
    ]);
    const children = await store.listRuns({ parent: "fan1" });
    expect(children.map((c) => c.id).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `fan1:one:1:${i}:0`));
    expect(ledger.sort()).toEqual(["a", "bb", "ccc", "dddd", "eeeee"]);
  });

  it("waits durably for a child that waits for an event; the child's end wakes the parent", async () => {
    const store = makeStore();
    const child = awaitsPayment(store, "awaits");
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => ({ receipts: (await ctx.runChild(child, {})).log }))
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "waits-for-child" });
    const started = await graph.run({}, { runId: "w1", hold: 0 });
    expect(started.status).toBe("waiting");
    expect((await store.getRun("w1"))?.waits?.[0]).toMatchObject({
      kind: "event",
      event: "child:w1:buy:1:0",
    });
    expect((await store.getRun("w1:buy:1:0"))?.status).toBe("waiting");
    await child.signal("w1:buy:1:0", "paid", "card");
    // A runner: the child is due (its event came), then the parent (the child's end notice came).
    const workflow = (name: string) =>
      name === "awaits" ? child : name === "waits-for-child" ? graph : undefined;
    for (const expected of ["w1:buy:1:0", "w1"]) {
      const report = await recoverRuns({ store, workflow, due: true });
      expect(report.recovered.map((r) => r.runId)).toEqual([expected]);
      await Promise.all(report.recovered.map((r) => r.done));
    }
    expect((await store.getRun("w1"))?.status).toBe("completed");
    expect((await graph.getState("w1")).state.receipts).toEqual(["paid by card"]);
  });

  it("cancelling the parent cancels its children, with compensation when asked", async () => {
    const store = makeStore();
    const undone: string[] = [];
    const child = new StateGraph(Order)
      .addNode("hold", () => ({ log: "held" }), { compensate: () => void undone.push("release hold") })
      .addNode("await", async (_s, ctx) => {
        await ctx.waitForEvent("go");
        return {};
      })
      .addEdge(START, "hold")
      .addEdge("hold", "await")
      .addEdge("await", END)
      .compile({ store, name: "holds" });
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => ({ receipts: (await ctx.runChild(child, {})).log }))
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "cancels" });
    expect((await graph.run({}, { runId: "k1", hold: 0 })).status).toBe("waiting");
    await graph.cancel("k1", { compensate: true });
    expect((await store.getRun("k1"))?.status).toBe("cancelled");
    expect((await store.getRun("k1:buy:1:0"))?.status).toBe("compensated");
    expect(undone).toEqual(["release hold"]);
  });

  it("holds a waiting child in the caller's process: an event sent to it there finishes both runs", async () => {
    const store = makeStore();
    const child = awaitsPayment(store, "awaits-held");
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => ({ receipts: (await ctx.runChild(child, {})).log }))
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "holds-child" });
    const running = graph.run({}, { runId: "h1" });
    await until(async () => (await store.getRun("h1:buy:1:0"))?.status === "waiting");
    await child.signal("h1:buy:1:0", "paid", "cash");
    const done = await running;
    expect(done.status).toBe("completed");
    expect(done.state.receipts).toEqual(["paid by cash"]);
  });

  it("cancelling a parent while its child runs in the same process cancels the child", async () => {
    const store = makeStore();
    const child = new StateGraph(Order)
      .addNode("hang", (_s, ctx) => untilAborted(ctx.signal))
      .addEdge(START, "hang")
      .addEdge("hang", END)
      .compile({ store, name: "hangs" });
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => ({ receipts: (await ctx.runChild(child, {})).log }))
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "cancels-live" });
    const running = graph.run({}, { runId: "cl1" });
    await until(async () => (await store.getRun("cl1:buy:1:0"))?.status === "running");
    await graph.cancel("cl1");
    expect((await running).status).toBe("cancelled");
    expect((await store.getRun("cl1:buy:1:0"))?.status).toBe("cancelled");
  });

  it("leases a child as long as its parent (a worker's --lease-ms), not the default 30 s", async () => {
    const store = makeStore();
    const child = new StateGraph(Order)
      .addNode("hang", (_s, ctx) => untilAborted(ctx.signal))
      .addEdge(START, "hang")
      .addEdge("hang", END)
      .compile({ store, name: "hangs-leased" });
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => ({ receipts: (await ctx.runChild(child, {})).log }))
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "leases" });
    const running = graph.run({}, { runId: "l1", leaseMs: 4_000 });
    await until(async () => (await store.getRun("l1:buy:1:0"))?.status === "running");
    const owner = (await store.getRun("l1:buy:1:0"))?.owner;
    expect(owner!.expiresAt - Date.now()).toBeLessThanOrEqual(4_000);
    expect(owner!.expiresAt - Date.now()).toBeGreaterThan(1_000);
    await graph.cancel("l1");
    expect((await running).status).toBe("cancelled");
  });

  it("refuses a runId that is not a non-empty string", async () => {
    const store = makeStore();
    const child = charge(store, []);
    const graph = new StateGraph(Parent)
      .addNode("buy", async (_s, ctx) => {
        await ctx.runChild(child, { item: "x" }, { runId: "" });
        return {};
      })
      .addEdge(START, "buy")
      .addEdge("buy", END)
      .compile({ store, name: "bad-id" });
    const result = await graph.run({}, { runId: "b1" });
    expect(result.error?.message).toMatch(/runChild needs a runId that is a non-empty string/);
    expect(await store.listRuns({ parent: "b1" })).toEqual([]);
  });
});
