import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../src/engine/records.js";
import type { Store } from "../../src/engine/store.js";
import { scheduleMethods } from "../../src/schedules/pass-through.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph } from "../graph/core.js";
import { type CrashRule, crashed, dyingStore, uid } from "../stores/contract/helpers.js";

/** Crash just before the run's status says `compensation_failed` (the saga log already does). */
const beforeSayingCompensationFailed: CrashRule = (m, arg) =>
  m === "updateRun" && (arg as { status?: string }).status === "compensation_failed" ? "before" : undefined;

/**
 * Crashes at the exact writes the SIGKILL tests can only hit by chance: right after a node's final
 * failure is stored, and right after an undo's final failure is stored. Simulated by a store that
 * dies at that write (test/stores/contract/helpers.ts); a fresh graph then resumes the run.
 */
const State = defineState({ log: append<string>() });

/** START -> book (undoable) -> pay (fails `payFailures` times, 2 attempts) -> END. */
function saga(
  store: Store,
  calls: { pay: number[]; undo: number[] },
  opts: { payFailures: number; undoWorks: () => boolean },
) {
  return new StateGraph(State)
    .addNode("book", () => ({ log: "book" }), {
      compensate: () => {
        calls.undo.push(calls.undo.length + 1);
        if (!opts.undoWorks()) throw new Error("hotel API down");
      },
      compensateRetry: { attempts: 2, initialDelayMs: 1 },
    })
    .addNode(
      "pay",
      (_s, ctx) => {
        calls.pay.push(ctx.attempt);
        if (calls.pay.length <= opts.payFailures) throw new Error(`card declined (${ctx.attempt})`);
        return { log: "pay" };
      },
      { retry: { attempts: 2, initialDelayMs: 1 } },
    )
    .addEdge(START, "book")
    .addEdge("book", "pay")
    .addEdge("pay", END)
    .compile({ store, name: "recovery" });
}

describe("recovery at the edges of failure", () => {
  it("does not give a node that failed for good before a crash its attempts back", async () => {
    const inner = new MemoryStore();
    const calls = { pay: [] as number[], undo: [] as number[] };
    const opts = { payFailures: 99, undoWorks: () => true };
    const dying = dyingStore(inner, (m, arg) =>
      m === "putTask" && (arg as TaskRecord).status === "failed" ? "after" : undefined,
    );
    const runId = uid();
    void saga(dying, calls, opts).run({}, { runId });
    await crashed(dying, runId);
    expect((await inner.getRun(runId))?.status).toBe("running");
    expect(calls.pay).toEqual([1, 2]);
    const result = await saga(inner, calls, opts).resume(runId);
    expect(result).toMatchObject({
      status: "compensated",
      error: {
        code: "NODE_FAILED",
        node: "pay",
        message: 'Node "pay" failed after 2 attempts: card declined (2)',
      },
    });
    expect(calls.pay).toEqual([1, 2]); // not 1, 2, 1, 2
    const pay = (await inner.listTasks(runId)).find((r) => r.node === "pay")!;
    expect(pay).toMatchObject({ status: "failed", attempts: 2 });
    expect(pay.history?.map((h) => h.attempt)).toEqual([1, 2]);
    expect(calls.undo).toEqual([1]);
  });

  it("still runs a failed step afresh when the operator retries the failed run", async () => {
    const store = new MemoryStore();
    const calls = { pay: [] as number[], undo: [] as number[] };
    // Nothing undoable: the run just fails, and can be retried.
    const graph = new StateGraph(State)
      .addNode(
        "pay",
        (_s, ctx) => {
          calls.pay.push(ctx.attempt);
          if (calls.pay.length <= 2) throw new Error("card declined");
          return { log: "pay" };
        },
        { retry: { attempts: 2, initialDelayMs: 1 } },
      )
      .addEdge(START, "pay")
      .addEdge("pay", END)
      .compile({ store });
    const first = await graph.run({});
    expect(first.status).toBe("failed");
    const retried = await graph.resume(first.runId, undefined, { retry: true });
    expect(retried).toMatchObject({ status: "completed", state: { log: ["pay"] } });
    expect(calls.pay).toEqual([1, 2, 1]);
  });

  it("ends compensation_failed again when it crashed after the undo failed, before the run said so", async () => {
    const inner = new MemoryStore();
    const calls = { pay: [] as number[], undo: [] as number[] };
    const opts = { payFailures: 99, undoWorks: () => false };
    const dying = dyingStore(inner, beforeSayingCompensationFailed);
    const runId = uid();
    void saga(dying, calls, opts).run({}, { runId });
    await crashed(dying, runId);
    // The failure is in the saga log, the run still says compensating.
    expect((await inner.getRun(runId))?.status).toBe("compensating");
    expect((await inner.listCompensations(runId)).map((c) => [c.node, c.status])).toEqual([
      ["book", "failed"],
    ]);
    const result = await saga(inner, calls, opts).resume(runId);
    const error = {
      code: "COMPENSATION_FAILED",
      node: "book",
      message: 'Undo of "book" failed after 2 attempt(s): hotel API down',
    };
    expect(result).toMatchObject({ status: "compensation_failed", error });
    expect(await inner.getRun(runId)).toMatchObject({ status: "compensation_failed", error });
    expect(calls.undo).toEqual([1, 2, 3, 4]); // tried again in full: it had not succeeded
  });

  it("finishes the compensation on resume when the failed undo works by then", async () => {
    const inner = new MemoryStore();
    const calls = { pay: [] as number[], undo: [] as number[] };
    let undoWorks = false;
    const opts = { payFailures: 99, undoWorks: () => undoWorks };
    const dying = dyingStore(inner, beforeSayingCompensationFailed);
    const runId = uid();
    void saga(dying, calls, opts).run({}, { runId });
    await crashed(dying, runId);
    undoWorks = true;
    const result = await saga(inner, calls, opts).resume(runId);
    expect(result.status).toBe("compensated");
    expect((await inner.listCompensations(runId)).map((c) => [c.node, c.status])).toEqual([["book", "done"]]);
  });

  it("stores each retrying record as it was: later attempts do not rewrite its history", async () => {
    const inner = new MemoryStore();
    const puts: TaskRecord[] = [];
    const spy: Store = {
      ...bind(inner),
      putTask: (r, h) => {
        puts.push(r);
        return inner.putTask(r, h);
      },
    };
    const calls = { pay: [] as number[], undo: [] as number[] };
    const graph = new StateGraph(State)
      .addNode(
        "pay",
        (_s, ctx) => {
          calls.pay.push(ctx.attempt);
          if (ctx.attempt < 3) throw new Error(`declined ${ctx.attempt}`);
          return { log: "pay" };
        },
        { retry: { attempts: 3, initialDelayMs: 1 } },
      )
      .addEdge(START, "pay")
      .addEdge("pay", END)
      .compile({ store: spy });
    expect((await graph.run({})).status).toBe("completed");
    const retrying = puts.filter((r) => r.status === "retrying");
    expect(retrying.map((r) => [r.attempts, r.history?.map((h) => h.attempt)])).toEqual([
      [1, [1]],
      [2, [1, 2]],
    ]);
  });
});

/** The store's methods bound to it, to override one of them. */
function bind(store: MemoryStore): Store {
  return {
    local: store.local,
    createRun: (r) => store.createRun(r),
    acquireRun: (id, o, replace) => store.acquireRun(id, o, replace),
    heartbeat: (o, ids, ms) => store.heartbeat(o, ids, ms),
    releaseRun: (o, id) => store.releaseRun(o, id),
    appendHistory: (e) => store.appendHistory(e),
    listHistory: (id, p) => store.listHistory(id, p),
    getRun: (id) => store.getRun(id),
    listRuns: (f) => store.listRuns(f),
    updateRun: (id, p) => store.updateRun(id, p),
    putTask: (r, h) => store.putTask(r, h),
    listTasks: (id) => store.listTasks(id),
    putCheckpoint: (c) => store.putCheckpoint(c),
    listCheckpoints: (id) => store.listCheckpoints(id),
    putCompensation: (c) => store.putCompensation(c),
    listCompensations: (id) => store.listCompensations(id),
    listDue: (now, f) => store.listDue(now, f),
    sendEvent: (e) => store.sendEvent(e),
    takeEvent: (id, name, consumer, timedOut) => store.takeEvent(id, name, consumer, timedOut),
    ...scheduleMethods(store),
    close: () => store.close(),
  };
}
