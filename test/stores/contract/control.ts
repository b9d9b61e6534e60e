import { expect, it } from "vitest";
import type { Store } from "../../../src/engine/store.js";
import { append, defineState, END, reduce, START, StateGraph, value } from "../../../src/index.js";
import { deferred, uid, until } from "./helpers.js";

const S = defineState({
  log: append<string>(),
  n: reduce<number>((a, b) => a + b, 0),
  note: value<string>(),
  answer: value<string>(),
});

/** START -> [ask, side] -> done: `ask` pauses for a human; `side` runs beside it. */
function approval(store: Store, calls: string[]) {
  return new StateGraph(S)
    .addNode("ask", (_, ctx) => {
      calls.push("ask");
      const answer = ctx.interrupt<string>({ question: "ship it?", key: ctx.idempotencyKey });
      return { answer, log: "ask" };
    })
    .addNode("side", () => {
      calls.push("side");
      return { log: "side", n: 1 };
    })
    .addNode("done", (s) => {
      calls.push("done");
      return { log: `done:${s.answer}`, n: 10 };
    })
    .addEdge(START, "ask")
    .addEdge(START, "side")
    .addEdge(["ask", "side"], "done")
    .addEdge("done", END)
    .compile({ store, name: "approval" });
}

/** chain: one -> two -> three, each adding to `n` and the log. */
function chain(store: Store, name = "chain3") {
  return new StateGraph(S)
    .addNode("one", () => ({ n: 1, log: "one" }))
    .addNode("two", () => ({ n: 2, log: "two" }))
    .addNode("three", (s) => ({ n: 3, log: `three:${s.note ?? "-"}` }))
    .addEdge(START, "one")
    .addEdge("one", "two")
    .addEdge("two", "three")
    .addEdge("three", END)
    .compile({ store, name });
}

/** Interrupts, state, history, fork, cancel and statuses, through the public API. */
export function controlContract(store: () => Store): void {
  it("pauses on interrupt(payload) with the payload on the run, and resume(value) continues", async () => {
    const calls: string[] = [];
    const graph = approval(store(), calls);
    const paused = await graph.run({});
    expect(paused.status).toBe("interrupted");
    const key = `${paused.runId}:ask:1`;
    expect(paused.interrupts).toEqual([
      { taskId: "ask", node: "ask", step: 1, payload: { question: "ship it?", key } },
    ]);
    const snapshot = await graph.getState(paused.runId);
    expect(snapshot.run.status).toBe("interrupted");
    expect(snapshot.run.interrupts).toEqual(paused.interrupts);
    expect(snapshot.next.map((t) => t.node)).toEqual(["ask", "side"]);
    expect(snapshot.state).toMatchObject({ log: [], n: 0 });

    const done = await approval(store(), calls).resume(paused.runId, "yes");
    expect(done).toMatchObject({
      status: "completed",
      state: { answer: "yes", log: ["ask", "side", "done:yes"], n: 11 },
    });
    expect(calls).toEqual(["ask", "side", "ask", "done"]);
    const run = (await store().getRun(paused.runId))!;
    expect(run.status).toBe("completed");
    expect(run.interrupts).toBeUndefined();
    await expect(graph.resume(paused.runId, "again")).rejects.toMatchObject({ code: "RUN_STATE" });
  });

  it("lists the history: a checkpoint per step with the state after it", async () => {
    const graph = chain(store());
    const { runId } = await graph.run({ n: 100 });
    const history = await graph.history(runId);
    expect(history.map((h) => [h.step, h.state.n, h.state.log, h.next.map((t) => t.node)])).toEqual([
      [0, 100, [], ["one"]],
      [1, 101, ["one"], ["two"]],
      [2, 103, ["one", "two"], ["three"]],
      [3, 106, ["one", "two", "three:-"], []],
    ]);
    expect(history.every((h) => typeof h.createdAt === "number")).toBe(true);
    const state = await graph.getState(runId);
    expect(state.state).toEqual(history[3]!.state);
    expect(state.next).toEqual([]);
    await expect(graph.getState("no-such-run")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });

  it("forks a new run from any checkpoint, with a state edit, leaving the old run as it was", async () => {
    const graph = chain(store());
    const { runId, state: before } = await graph.run({ n: 100 });
    const fork = await graph.fork(runId, { step: 1, update: { note: "edited", n: 1000 } });
    expect(fork.runId).not.toBe(runId);
    expect(fork.status).toBe("completed");
    expect(fork.state).toEqual({ log: ["one", "two", "three:edited"], n: 1106, note: "edited" });
    const run = (await store().getRun(fork.runId))!;
    expect(run.parent).toEqual({ runId, step: 1 });
    expect((await graph.getState(runId)).state).toEqual(before);
    expect((await graph.history(fork.runId)).map((h) => h.state.n)).toEqual([1101, 1103, 1106]);
    await expect(graph.fork(runId, { step: 42 })).rejects.toMatchObject({ code: "RUN_STATE" });
  });

  it("cancels a running run: its in-flight node's signal aborts and the run ends cancelled", async () => {
    const started = deferred();
    let aborted: unknown;
    const graph = new StateGraph(S)
      .addNode("wait", (_, ctx) => {
        started.resolve();
        return new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = ctx.signal.reason;
            resolve({ log: "never stored" });
          });
        });
      })
      .addEdge(START, "wait")
      .addEdge("wait", END)
      .compile({ store: store(), name: "cancel" });
    const runId = uid();
    const running = graph.run({}, { runId });
    await started.promise;
    await graph.cancel(runId);
    const result = await running;
    expect(result.status).toBe("cancelled");
    expect(aborted).toBeDefined();
    expect((await store().getRun(runId))!.status).toBe("cancelled");
    expect((await store().listTasks(runId)).some((r) => r.node === "wait" && r.status === "succeeded")).toBe(
      false,
    );
  });

  it("cancels a run when another process asks through the store (shared stores only)", async () => {
    const s = store();
    if (s.local) return; // A memory store lives in one process: nobody else can ask.
    const started = deferred();
    const graph = new StateGraph(S)
      .addNode("wait", (_, ctx) => {
        started.resolve();
        return new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve({})));
      })
      .addEdge(START, "wait")
      .addEdge("wait", END)
      .compile({ store: s, name: "cancel-remote" });
    const runId = uid();
    const running = graph.run({}, { runId });
    await started.promise;
    await s.updateRun(runId, { cancelRequested: { compensate: false } });
    expect((await running).status).toBe("cancelled");
    const run = (await s.getRun(runId))!;
    expect(run.status).toBe("cancelled");
    expect(run.cancelRequested).toBeUndefined();
  });

  it("cancels an interrupted run", async () => {
    const graph = approval(store(), []);
    const { runId } = await graph.run({});
    await graph.cancel(runId);
    expect((await store().getRun(runId))!.status).toBe("cancelled");
    await expect(graph.resume(runId, "late")).rejects.toMatchObject({ code: "RUN_STATE" });
  });

  it("ends runs failed or compensated, with the error kept on the run, and lists them by status", async () => {
    const undone: string[] = [];
    const build = (fail: boolean) =>
      new StateGraph(S)
        .addNode("book", () => ({ log: "book" }), { compensate: () => void undone.push("book") })
        .addNode("risky", () => {
          if (fail) throw new Error("card declined");
          return { log: "risky" };
        })
        .addEdge(START, "book")
        .addEdge("book", "risky")
        .addEdge("risky", END);
    const saga = build(true).compile({ store: store(), name: "statuses" });
    const compensated = await saga.run({});
    expect(compensated.status).toBe("compensated");
    expect(undone).toEqual(["book"]);
    const plain = new StateGraph(S)
      .addNode("boom", () => {
        throw new Error("kaput");
      })
      .addEdge(START, "boom")
      .addEdge("boom", END)
      .compile({ store: store(), name: "statuses" });
    const failed = await plain.run({});
    expect(failed.status).toBe("failed");
    const ok = await build(false).compile({ store: store(), name: "statuses" }).run({});
    expect(ok.status).toBe("completed");
    const paused = await approval(store(), []).run({});

    const run = (await store().getRun(failed.runId))!;
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      code: "NODE_FAILED",
      node: "boom",
      message: expect.stringContaining("kaput"),
    });
    expect((await store().getRun(compensated.runId))!.error?.message).toContain("card declined");
    const ids = async (status: Parameters<Store["listRuns"]>[0]) =>
      (await store().listRuns(status)).map((r) => r.id);
    expect(await ids({ status: "failed" })).toEqual([failed.runId]);
    expect(await ids({ status: ["completed", "compensated"] })).toEqual([ok.runId, compensated.runId]);
    expect(await ids({ status: "interrupted", graph: "approval" })).toEqual([paused.runId]);
    expect(await ids({ graph: "statuses", limit: 2 })).toEqual([ok.runId, failed.runId]);
  });

  it("rejects invalid input before anything is stored", async () => {
    const graph = chain(store(), "invalid");
    await expect(graph.run({ nope: 1 } as never)).rejects.toMatchObject({ code: "INPUT_INVALID" });
    expect(await store().listRuns({ graph: "invalid" })).toEqual([]);
  });

  it("waits for every running run of a step before reporting it: a slow sibling is part of the state", async () => {
    const gate = deferred();
    const graph = new StateGraph(S)
      .addNode("fast", () => ({ log: "fast" }))
      .addNode("slow", async () => {
        await gate.promise;
        return { log: "slow" };
      })
      .addEdge(START, "fast")
      .addEdge(START, "slow")
      .addEdge("fast", END)
      .addEdge("slow", END)
      .compile({ store: store(), name: "siblings" });
    const runId = uid();
    const running = graph.run({}, { runId });
    await until(async () => (await store().listTasks(runId)).some((r) => r.node === "fast"));
    expect((await graph.getState(runId)).state.log).toEqual([]);
    gate.resolve();
    expect((await running).state.log).toEqual(["fast", "slow"]);
  });
}
