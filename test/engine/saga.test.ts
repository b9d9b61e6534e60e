import { describe, expect, it } from "vitest";
import type { CompensationContext } from "../../src/graph/types.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { collect } from "./helpers.js";

const State = defineState({ log: append<string>(), id: value(""), fail: value("") });

interface Undo {
  node: string;
  result: unknown;
  log: string[];
  key: string;
}

/** START -> account -> [charge, notify] -> ship -> END; `fail` names a node that throws. */
function orderSaga(options: { brokenUndo?: string } = {}) {
  const undone: Undo[] = [];
  const undo = (node: string) => (state: { log: string[] }, result: unknown, ctx: CompensationContext) => {
    if (node === options.brokenUndo) throw new Error(`cannot undo ${node}`);
    undone.push({ node, result, log: state.log, key: ctx.idempotencyKey });
  };
  const step = (node: string) => (s: { fail: string }) => {
    if (s.fail === node) throw new Error(`${node} broke`);
    return { log: node };
  };
  const graph = new StateGraph(State)
    .addNode("account", () => ({ id: "acct-1", log: "account" }), { compensate: undo("account") })
    .addNode("charge", step("charge"), { compensate: undo("charge"), compensateRetry: { attempts: 1 } })
    .addNode("notify", step("notify"))
    .addNode("ship", step("ship"), { compensate: undo("ship") })
    .addEdge(START, "account")
    .addEdge("account", "charge")
    .addEdge("account", "notify")
    .addEdge(["charge", "notify"], "ship")
    .addEdge("ship", END)
    .compile({ store: new MemoryStore() });
  return { graph, undone };
}

describe("compensation", () => {
  it("undoes completed steps in reverse order, each given the state and its own result", async () => {
    const { graph, undone } = orderSaga();
    const result = await graph.run({ fail: "ship" }, { runId: "r" });
    expect(result.status).toBe("compensated");
    expect(result.error?.message).toBe('Node "ship" failed: ship broke');
    expect(undone.map((u) => u.node)).toEqual(["charge", "account"]);
    expect(undone[1]).toEqual({
      node: "account",
      result: { id: "acct-1", log: "account" },
      log: ["account", "charge", "notify"],
      key: "r:account:1:undo",
    });
  });

  it("records each undo durably and reports it as events", async () => {
    const { graph } = orderSaga();
    const events = await collect(graph.stream({ fail: "ship" }, { runId: "r" }));
    const saga = events.flatMap((e) =>
      e.type === "compensation_started"
        ? [`started ${e.nodes.join(",")}`]
        : e.type === "compensation_step"
          ? [`${e.node} ${e.status}`]
          : e.type === "compensation_finished"
            ? [`finished ${e.status}`]
            : [],
    );
    expect(saga).toEqual([
      "started charge,account",
      "charge started",
      "charge done",
      "account started",
      "account done",
      "finished compensated",
    ]);
    const records = await graph.store!.listCompensations("r");
    expect(records.map((c) => [c.taskKey, c.node, c.status])).toEqual([
      ["2:charge", "charge", "done"],
      ["1:account", "account", "done"],
    ]);
    expect((await graph.store!.getRun("r"))?.status).toBe("compensated");
  });

  it("gives each undo a stable key: the node's own key plus :undo", async () => {
    const { graph, undone } = orderSaga();
    await graph.run({ fail: "ship" }, { runId: "k" });
    expect(undone.map((u) => u.key)).toEqual(["k:charge:2:undo", "k:account:1:undo"]);
  });

  it("undoes siblings that finished in the failing step", async () => {
    const { graph, undone } = orderSaga();
    const result = await graph.run({ fail: "notify" });
    expect(result.status).toBe("compensated");
    expect(undone.map((u) => u.node)).toEqual(["charge", "account"]);
  });

  it("stops at an undo that fails for good: compensation_failed, naming it and why", async () => {
    const { graph, undone } = orderSaga({ brokenUndo: "charge" });
    const result = await graph.run({ fail: "ship" });
    expect(result.status).toBe("compensation_failed");
    expect(result.error).toMatchObject({
      code: "COMPENSATION_FAILED",
      node: "charge",
      message: 'Undo of "charge" failed after 1 attempt(s): cannot undo charge',
    });
    expect(undone).toEqual([]);
  });

  it("retries an undo by its compensateRetry policy", async () => {
    let tries = 0;
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }), {
        compensate: () => {
          if (++tries < 3) throw new Error("busy");
        },
        compensateRetry: { attempts: 3, initialDelayMs: 1 },
      })
      .addNode("b", () => {
        throw new Error("b broke");
      })
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", END)
      .compile({ store: false });
    expect((await graph.run({})).status).toBe("compensated");
    expect(tries).toBe(3);
  });

  it("is not needed when nothing can be undone: the run just fails", async () => {
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => {
        throw new Error("b broke");
      })
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", END)
      .compile({ store: false });
    expect((await graph.run({})).status).toBe("failed");
  });

  it("runs when a node ends the run on purpose with ctx.abort", async () => {
    const undone: string[] = [];
    const aborting = new StateGraph(State)
      .addNode("account", () => ({ log: "account" }), {
        compensate: () => {
          undone.push("account");
        },
      })
      .addNode("check", (_s, ctx) => ctx.abort("fraud suspected"))
      .addEdge(START, "account")
      .addEdge("account", "check")
      .addEdge("check", END)
      .compile({ store: false });
    const result = await aborting.run({});
    expect(result.status).toBe("compensated");
    expect(result.error).toMatchObject({
      code: "RUN_ABORTED",
      message: 'Node "check" ended the run: fraud suspected',
    });
    expect(undone).toEqual(["account"]);
  });
});
